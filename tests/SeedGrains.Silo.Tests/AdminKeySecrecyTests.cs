using SeedGrains.Tests.Shared;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SeedGrains.Silo.Hosting;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// Secrets never reach the log: a whole create-key / use / revoke / delete flow runs with every category at Debug and
/// the captured log is searched for each secret — both operator keys (one configured in clear, one as its SHA-256), the
/// seeded dev key, and every tenant key created through the admin API — including the paths where a key is refused
/// (a tenant key on an admin route, an operator key on /v1, a suspended tenant, a revoked key, a mistyped key). A
/// key's SHA-256 may appear (Orleans logs grain ids at Debug, and the key-index grain is keyed by it): it is what
/// storage holds too, and does not give the key.
/// </summary>
public sealed class AdminKeySecrecyTests
{
    private const string OperatorKey = "op-secrecy-key-5a1f0c9e7d3b";
    private const string RotatedOperatorKey = "op-secrecy-rotated-8c2e4b6a0f1d";
    private const string DevKey = "secrecy-dev-key-0123456789";

    [Fact]
    public async Task No_operator_dev_or_tenant_key_appears_in_a_debug_log_of_the_whole_key_flow()
    {
        var log = new DebugLog();
        var app = SeedGrainsHost.Build(
        [
            "--Urls=http://127.0.0.1:0",
            $"--Orleans:SiloPort={TestPorts.Next()}",
            $"--Orleans:ClusterId=secrecy-{Guid.NewGuid():N}",
            $"--DEV_API_KEY={DevKey}",
            $"--Admin:OperatorKeys:0={OperatorKey}",
            $"--Admin:OperatorKeys:1=sha256:{SeedGrains.Abstractions.Tenants.ApiKeyHash.Of(RotatedOperatorKey)}",
            "--Dashboard:AllowLoopback=false",
            "--Logging:LogLevel:Default=Debug",
            "--Logging:LogLevel:Orleans=Debug",
            "--Logging:LogLevel:Microsoft.AspNetCore=Debug",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Debug",
        ], services => services.AddSingleton(FakeModel.Factory(new FakeStepper())).AddSingleton<ILoggerProvider>(log));
        await app.StartAsync();
        var secrets = new List<string>();
        try
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var op = Client(url, OperatorKey);
            using var rotated = Client(url, RotatedOperatorKey);
            Assert.Equal(HttpStatusCode.OK, (await rotated.GetAsync("/dashboard/")).StatusCode);
            (await op.PostAsJsonAsync("/admin/v1/tenants", new { id = "secrecy" })).EnsureSuccessStatusCode();
            var created = await (await op.PostAsJsonAsync("/admin/v1/tenants/secrecy/keys", new { name = "k" })).Content.ReadFromJsonAsync<JsonElement>();
            var secret = created.GetProperty("key").GetString()!;
            secrets.Add(secret);
            var second = (await (await rotated.PostAsJsonAsync("/admin/v1/tenants/secrecy/keys", new { name = "second" })).Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("key").GetString()!;
            secrets.Add(second);
            using var tenant = Client(url, secret);
            (await tenant.PostAsJsonAsync("/v1/sessions", new { text = "abc", regions = new[] { new { start = 1, end = 2 } } })).EnsureSuccessStatusCode();
            using var dev = Client(url, DevKey);
            (await dev.GetAsync("/v1/sessions")).EnsureSuccessStatusCode();
            (await op.GetAsync("/admin/v1/tenants/secrecy/keys")).EnsureSuccessStatusCode();

            // Refusals: the paths that handle a key they do not accept.
            Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync("/admin/v1/tenants/secrecy/usage")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await op.GetAsync("/v1/sessions")).StatusCode);
            secrets.Add(secret[..^1] + (secret[^1] == 'x' ? 'y' : 'x')); // a typo of a real key is as good as the key
            using var mistyped = Client(url, secrets[^1]);
            Assert.Equal(HttpStatusCode.Unauthorized, (await mistyped.GetAsync("/v1/sessions")).StatusCode);
            (await op.PatchAsJsonAsync("/admin/v1/tenants/secrecy", new { status = "suspended" })).EnsureSuccessStatusCode();
            Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync("/v1/sessions")).StatusCode);
            (await op.PatchAsJsonAsync("/admin/v1/tenants/secrecy", new { status = "active" })).EnsureSuccessStatusCode();

            Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"/admin/v1/tenants/secrecy/keys/{created.GetProperty("id").GetString()}")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.GetAsync("/v1/sessions/s_x")).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync("/admin/v1/tenants/secrecy")).StatusCode);
            using var afterDeletion = Client(url, second);
            Assert.Equal(HttpStatusCode.Unauthorized, (await afterDeletion.GetAsync("/v1/sessions")).StatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        var text = string.Join('\n', log.Lines);
        Assert.True(log.Lines.Count > 100, $"only {log.Lines.Count} lines captured: Debug logging is not on");
        Assert.Contains("secrecy", text, StringComparison.Ordinal); // the flow itself was logged
        Assert.Equal(3, secrets.Count);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[8..], text, StringComparison.Ordinal); // the part after the listed prefix
        }
        foreach (var configured in new[] { OperatorKey, RotatedOperatorKey, DevKey })
            Assert.DoesNotContain(configured, text, StringComparison.Ordinal);
    }

    private static HttpClient Client(string url, string bearer)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }


    /// <summary>Every log line at every level, with its exception, as text.</summary>
    private sealed class DebugLog : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(DebugLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                log.Lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {state} {exception}");
        }
    }
}
