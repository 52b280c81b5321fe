using SeedGrains.Tests.Shared;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Limits;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Grains.Workers;
using SeedGrains.Silo.Api;
using SeedGrains.Silo.Hosting;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// Per-tenant rate limits over real Kestrel: headers on every /v1 answer, 429 with Retry-After when a bucket is empty.
/// The service's clock is a fake (<see cref="RateLimitHost"/>), so buckets refill only when a test moves time.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly RateLimitHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Every_v1_answer_carries_the_six_headers_and_an_unlimited_tenant_reports_zeros()
    {
        using var ok = await _host.Client.GetAsync("/v1/usage");
        using var missing = await _host.Client.GetAsync("/v1/sessions/s_nope");

        foreach (var response in new[] { ok, missing })
            foreach (var kind in new[] { "requests", "tokens" })
            {
                Assert.Equal("0", Header(response, $"x-ratelimit-limit-{kind}"));
                Assert.Equal("0", Header(response, $"x-ratelimit-remaining-{kind}"));
                Assert.Equal("0s", Header(response, $"x-ratelimit-reset-{kind}"));
            }
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Requests_over_the_limit_are_429_with_retry_after_and_headers_until_time_refills_the_bucket()
    {
        await _host.Limit(new TenantQuotas(RequestsPerMinute: 2, TokensPerMinute: 600));

        using var first = await _host.Client.GetAsync("/v1/usage");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("2", Header(first, "x-ratelimit-limit-requests"));
        Assert.Equal("1", Header(first, "x-ratelimit-remaining-requests"));
        Assert.Equal("30s", Header(first, "x-ratelimit-reset-requests"));
        Assert.Equal("600", Header(first, "x-ratelimit-limit-tokens"));
        Assert.Equal("600", Header(first, "x-ratelimit-remaining-tokens"));
        using var second = await _host.Client.GetAsync("/v1/sessions/s_unknown");
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Equal("0", Header(second, "x-ratelimit-remaining-requests"));
        Assert.Equal("1m0s", Header(second, "x-ratelimit-reset-requests"));

        using var refused = await _host.Client.GetAsync("/v1/usage");
        var problem = await ProblemAssert.Is(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("Rate limit exceeded", problem.GetProperty("title").GetString());
        Assert.Contains("requests per minute (2)", problem.GetProperty("detail").GetString());
        Assert.Equal("30", refused.Headers.RetryAfter?.ToString());
        Assert.Equal("0", Header(refused, "x-ratelimit-remaining-requests"));

        _host.Time.Advance(TimeSpan.FromSeconds(30));
        using var again = await _host.Client.GetAsync("/v1/usage");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task An_empty_token_bucket_refuses_generating_requests_only_until_it_refills()
    {
        await _host.Limit(new TenantQuotas(TokensPerMinute: 6));
        // What sessions do as the model commits (tested on the grains): 8 tokens, 6 from the bucket and 2 of debt.
        await _host.Grains.GetGrain<ITenantLimiterGrain>(TenantGrainKeys.Limiter(DevTenantSeeder.Tenant)).ChargeTokens(8);

        using var refused = await _host.Client.PostAsJsonAsync("/v1/sessions", new { text = "a" });
        var problem = await ProblemAssert.Is(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains("generated tokens per minute (6)", problem.GetProperty("detail").GetString());
        Assert.Equal("30", refused.Headers.RetryAfter?.ToString()); // 2 of debt + 1 token, 10 s each
        Assert.Equal("0", Header(refused, "x-ratelimit-remaining-tokens"));
        Assert.Equal("1m20s", Header(refused, "x-ratelimit-reset-tokens")); // 2 + 6 tokens to full
        using var read = await _host.Client.GetAsync("/v1/usage");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        _host.Time.Advance(TimeSpan.FromSeconds(30));
        using var later = await _host.Client.PostAsJsonAsync("/v1/sessions", new { text = "a" }); // no masks: nothing to generate
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
        Assert.Equal("1", Header(later, "x-ratelimit-remaining-tokens"));
    }

    [Fact]
    public async Task Rate_limit_refusals_show_in_usage_by_reason()
    {
        await _host.Limit(new TenantQuotas(RequestsPerMinute: 1));
        using var first = await _host.Client.GetAsync("/v1/sessions/s_a");
        using var refused = await _host.Client.GetAsync("/v1/sessions/s_b");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        var hours = await _host.Grains.GetGrain<ITenantUsageGrain>(TenantGrainKeys.Usage(DevTenantSeeder.Tenant))
            .Get(_host.Time.GetUtcNow().AddHours(-1), _host.Time.GetUtcNow().AddHours(1));
        Assert.Equal(1, hours.Sum(h => h.RejectedByReason.GetValueOrDefault("rate_limit")));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(20, "20ms")]
    [InlineData(1000, "1s")]
    [InlineData(1500, "1.5s")]
    [InlineData(360_000, "6m0s")]
    [InlineData(3_723_000, "1h2m3s")]
    public void Reset_durations_are_written_the_way_OpenAI_writes_them(int milliseconds, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.Duration(TimeSpan.FromMilliseconds(milliseconds)));

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    /// <summary>
    /// The real host like <see cref="SiloHost"/>, but with the service's own clock (<see cref="SeedGrainsClock"/>, which
    /// the limiter and usage grains read) a fake as well as the API's. The model worker waits on that clock too, so
    /// nothing here may need a model step (requests that create no masks are fine).
    /// </summary>
    public sealed class RateLimitHost : IAsyncLifetime
    {
        private WebApplication? _app;

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));

        public FakeStepper Stepper { get; } = new();

        public HttpClient Client { get; private set; } = null!;

        public IGrainFactory Grains => _app!.Services.GetRequiredService<IGrainFactory>();

        public async Task InitializeAsync()
        {
            string[] args =
            [
                "--Urls=http://127.0.0.1:0",
                $"--Orleans:SiloPort={TestPorts.Next()}",
                $"--Orleans:ClusterId=test-{Guid.NewGuid():N}",
                $"--DEV_API_KEY={SiloHost.DevKey}",
                "--Logging:LogLevel:Default=Warning",
            ];
            _app = SeedGrainsHost.Build(args, services => services
                .AddSingleton(FakeModel.Factory(Stepper))
                .AddSingleton(new ApiClock(Time))
                .AddSingleton(new SeedGrainsClock(Time)));
            await _app.StartAsync();
            var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
            Client.DefaultRequestHeaders.Authorization = new("Bearer", SiloHost.DevKey);
        }

        /// <summary>Sets the dev tenant's quotas and applies them to its limiter at once.</summary>
        public async Task Limit(TenantQuotas quotas)
        {
            await Grains.GetGrain<ITenantGrain>(DevTenantSeeder.Tenant).SetQuotas(quotas);
            await Grains.GetGrain<ITenantLimiterGrain>(TenantGrainKeys.Limiter(DevTenantSeeder.Tenant)).Configure(quotas);
        }

        public async Task DisposeAsync()
        {
            Stepper.Gate.Set();
            Client.Dispose();
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }
        }

    }
}
