using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// Tenant isolation at scale over real HTTP: two tenants, each with sessions whose text carries its own marker, then
/// 10,000 seeded random calls mixing both keys with the other tenant's session ids (read, events, edit, cancel, purge,
/// list) and admin routes. Every cross-tenant call must be refused (404), no answer may carry the other tenant's
/// marker, and afterwards every session is still there, unchanged.
/// </summary>
public sealed class IsolationTests : IAsyncLifetime
{
    private const int Seed = 13;
    private const int Calls = 10_000;
    private const int SessionsPerTenant = 4;
    private const string RivalTenant = "rival";
    private const string RivalKey = "rival-key-6b1d0c2e9f";
    private readonly SiloHost _host = new(["--Admin:OperatorKeys:0=" + OperatorKey]);
    private Tenant _dev = null!;
    private Tenant _rival = null!;

    /// <summary>A tenant as the test drives it: its key, the marker in every text it writes, its session ids.</summary>
    private sealed record Tenant(string Name, string Key, string Marker, List<string> Sessions);

    private enum Verdict { Refused, Own }

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        // The second tenant and its key through the grains, as an operator tool on the cluster would.
        await _host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(RivalTenant).AddApiKey(RivalKey);
        _dev = new Tenant("dev", SiloHost.DevKey, "DEVMARKER-QX7", []);
        _rival = new Tenant(RivalTenant, RivalKey, "RIVALMARKER-ZK9", []);
        foreach (var tenant in new[] { _dev, _rival })
            for (var i = 0; i < SessionsPerTenant; i++)
                tenant.Sessions.Add(await Create(tenant, $"// {tenant.Marker} document {i}\nfn f{i}() {{}}\n"));
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    private async Task<string> Create(Tenant tenant, string text)
    {
        using var request = Request(tenant, HttpMethod.Post, "/v1/sessions", new { text });
        using var response = await _host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static HttpRequestMessage Request(Tenant tenant, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Key);
        if (body is not null) request.Content = JsonContent.Create(body);
        return request;
    }

    /// <summary>One planned call: who calls, what, and whether it targets the caller's own data or the other tenant's.</summary>
    private sealed record Call(Tenant Caller, Tenant Other, HttpMethod Method, string Path, object? Body, string Kind, bool CrossTenant, bool Admin);

    private List<Call> Plan()
    {
        var random = new Random(Seed);
        var calls = new List<Call>(Calls);
        for (var i = 0; i < Calls; i++)
        {
            var caller = random.Next(2) == 0 ? _dev : _rival;
            var other = caller == _dev ? _rival : _dev;
            var roll = random.Next(100);
            if (roll < 5)
            {
                calls.Add(Admin(random, caller, other));
                continue;
            }
            if (roll < 15)
            {
                var limit = random.Next(1, 101);
                calls.Add(new Call(caller, other, HttpMethod.Get, $"/v1/sessions?limit={limit}", null, "list", CrossTenant: false, Admin: false));
                continue;
            }
            // Two calls in three aim at the other tenant's sessions; the rest at the caller's own, harmlessly.
            var cross = random.Next(3) != 0;
            var target = (cross ? other : caller).Sessions[random.Next(SessionsPerTenant)];
            var kind = random.Next(6);
            calls.Add(kind switch
            {
                0 => new Call(caller, other, HttpMethod.Get, $"/v1/sessions/{target}", null, "read", cross, false),
                1 => new Call(caller, other, HttpMethod.Get, $"/v1/sessions/{target}/events", null, "events", cross, false),
                // Cross-tenant edits carry the target's real version (1), so only isolation can refuse them; own edits
                // carry a stale one (409), so no session ever changes.
                2 => new Call(caller, other, HttpMethod.Post, $"/v1/sessions/{target}/edits",
                    new { baseVersion = cross ? 1 : 99, edits = new[] { new { start = 0, end = 0, text = caller.Marker } } }, "edit", cross, false),
                3 => new Call(caller, other, HttpMethod.Delete, $"/v1/sessions/{target}", null, "cancel", cross, false),
                // Only the other tenant's sessions are purged: the targets must stay for the rest of the run.
                4 => new Call(caller, other, HttpMethod.Delete, $"/v1/sessions/{(cross ? target : "s_missing")}?purge=true", null, "purge", cross, false),
                _ => new Call(caller, other, HttpMethod.Post, $"/v1/sessions/{target}/edits",
                    new { baseVersion = cross ? 1 : 99, regenerate = new[] { new { start = 0, end = 2 } } }, "regenerate", cross, false),
            });
        }
        return calls;
    }

    /// <summary>Admin routes (built by the admin API's part): a tenant key must never succeed there.</summary>
    private static Call Admin(Random random, Tenant caller, Tenant other) => random.Next(6) switch
    {
        0 => new Call(caller, other, HttpMethod.Get, "/admin/v1/tenants", null, "admin", true, true),
        1 => new Call(caller, other, HttpMethod.Get, $"/admin/v1/tenants/{other.Name}", null, "admin", true, true),
        2 => new Call(caller, other, HttpMethod.Post, "/admin/v1/tenants", new { id = "intruder" }, "admin", true, true),
        3 => new Call(caller, other, HttpMethod.Delete, $"/admin/v1/tenants/{other.Name}", null, "admin", true, true),
        4 => new Call(caller, other, HttpMethod.Get, $"/admin/v1/tenants/{other.Name}/keys", null, "admin", true, true),
        _ => new Call(caller, other, HttpMethod.Post, $"/admin/v1/tenants/{other.Name}/keys", new { name = "stolen" }, "admin", true, true),
    };

    [Fact]
    public async Task Ten_thousand_mixed_calls_never_cross_a_tenant_boundary()
    {
        var plan = Plan();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var refused = 0;
        // A few calls at once: isolation must hold under concurrency too, and 10,000 calls stay well under a minute.
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (call, cancellationToken) =>
        {
            using var request = Request(call.Caller, call.Method, call.Path, call.Body);
            using var response = await _host.Client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = (int)response.StatusCode;
            var what = $"{call.Caller.Name} {call.Method} {call.Path} ({call.Kind}) → {status}";
            if (body.Contains(call.Other.Marker, StringComparison.Ordinal))
                failures.Enqueue($"{what}: the answer carries {call.Other.Name}'s text");
            if (call.Admin)
            {
                if (status != 403) failures.Enqueue($"{what}: a tenant key on an admin route got {status}, not 403");
                else Interlocked.Increment(ref refused);
            }
            else if (call.CrossTenant)
            {
                if (status != 404) failures.Enqueue($"{what}: cross-tenant call not refused with 404: {Trim(body)}");
                else Interlocked.Increment(ref refused);
            }
            else if (call.Kind == "list")
            {
                if (status != 200) failures.Enqueue($"{what}: {Trim(body)}");
                else
                {
                    var ids = JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!);
                    var foreign = ids.Where(call.Other.Sessions.Contains).ToList();
                    if (foreign.Count > 0) failures.Enqueue($"{what}: lists {call.Other.Name}'s sessions {string.Join(", ", foreign)}");
                }
            }
            else if (status >= 500)
            {
                failures.Enqueue($"{what}: {Trim(body)}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} violations, first ones:\n" + string.Join("\n", failures.Take(20))
            + "\nserver errors:\n" + string.Join("\n", _host.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Take(5).Select(e => $"{e.Message} {e.Exception}")));
        Assert.Equal(plan.Count(c => c.CrossTenant || c.Admin), refused);
        Assert.True(refused > Calls / 2, $"the plan must be mostly cross-tenant calls; it had {refused}");
        // Nothing the other tenant sent changed or removed anything: every session is there, at version 1, with its marker.
        foreach (var tenant in new[] { _dev, _rival })
        {
            foreach (var id in tenant.Sessions)
            {
                using var request = Request(tenant, HttpMethod.Get, $"/v1/sessions/{id}");
                using var response = await _host.Client.SendAsync(request);
                var session = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(1, session.GetProperty("version").GetInt64());
                Assert.Contains(tenant.Marker, session.GetProperty("text").GetString(), StringComparison.Ordinal);
            }
        }
    }

    /// <summary>
    /// Regression: an unknown session lets its activation go at once, and concurrent calls for the same id used to be
    /// forwarded to that dying activation until the runtime rejected them — a 500 where a 404 is due (found by the test
    /// above, 2–3 calls in 10,000).
    /// </summary>
    [Fact]
    public async Task Concurrent_calls_for_a_session_that_does_not_exist_are_all_404()
    {
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        for (var round = 0; round < 20; round++)
        {
            var id = $"s_absent{round}";
            await Parallel.ForEachAsync(Enumerable.Range(0, 64), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
            {
                using var request = (i % 4) switch
                {
                    0 => Request(_dev, HttpMethod.Get, $"/v1/sessions/{id}"),
                    1 => Request(_dev, HttpMethod.Get, $"/v1/sessions/{id}/events"),
                    2 => Request(_dev, HttpMethod.Post, $"/v1/sessions/{id}/edits", new { baseVersion = 1, edits = Array.Empty<object>() }),
                    _ => Request(_dev, HttpMethod.Delete, $"/v1/sessions/{id}" + (i % 8 == 3 ? "?purge=true" : "")),
                };
                using var response = await _host.Client.SendAsync(request, cancellationToken);
                statuses.Add((int)response.StatusCode);
            });
        }

        Assert.True(statuses.All(status => status == 404), $"{statuses.Count(s => s != 404)} of {statuses.Count} calls were not 404; server errors:\n"
            + string.Join("\n", _host.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Take(3).Select(e => $"{e.Message} {e.Exception?.GetType().Name}: {e.Exception?.Message}")));
    }

    // ── Suspended tenant ──────────────────────────────────────────────────────────────────────────────────────────
    private const string OperatorKey = "operator-key-isolation-test-0001";

    /// <summary>Suspends a tenant the way an operator does: PATCH /admin/v1/tenants/{id} {"status": "suspended"}.</summary>
    private async Task SuspendThroughAdminApi(string tenant)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/admin/v1/tenants/{tenant}") { Content = JsonContent.Create(new { status = "suspended" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        using var response = await _host.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"suspending {tenant}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task A_suspended_tenant_is_refused_everywhere_and_sees_nothing_of_the_other()
    {
        await SuspendThroughAdminApi(RivalTenant);
        var random = new Random(Seed);
        for (var i = 0; i < 500; i++)
        {
            var target = (random.Next(2) == 0 ? _rival : _dev).Sessions[random.Next(SessionsPerTenant)];
            var (method, path) = random.Next(4) switch
            {
                0 => (HttpMethod.Get, $"/v1/sessions/{target}"),
                1 => (HttpMethod.Get, "/v1/sessions"),
                2 => (HttpMethod.Delete, $"/v1/sessions/{target}?purge=true"),
                _ => (HttpMethod.Post, "/v1/sessions"),
            };
            using var request = Request(_rival, method, path, method == HttpMethod.Post ? new { text = "x" } : null);
            using var response = await _host.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} → {(int)response.StatusCode}: {body}");
            Assert.DoesNotContain(_dev.Marker, body, StringComparison.Ordinal);
        }
        // The other tenant is untouched by the suspension.
        using var own = Request(_dev, HttpMethod.Get, $"/v1/sessions/{_dev.Sessions[0]}");
        using var ownResponse = await _host.Client.SendAsync(own);
        Assert.Equal(HttpStatusCode.OK, ownResponse.StatusCode);
    }

    private static string Trim(string body) => body.Length <= 300 ? body : body[..300] + "…";
}
