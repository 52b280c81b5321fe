using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SeedGrains.Silo.Tests;

/// <summary>/admin/v1 end to end on the real host: operator access, tenant lifecycle, API keys, suspension, deletion.</summary>
public sealed class AdminApiTests(AdminSiloHost fixture) : IClassFixture<AdminSiloHost>
{
    private SiloHost Host => fixture.Host;

    [Fact]
    public async Task No_key_is_401_a_tenant_key_is_403_and_a_wrong_key_is_401()
    {
        using var anonymous = Client(null);
        await ProblemAssert.Is(await anonymous.GetAsync("/admin/v1/tenants"), HttpStatusCode.Unauthorized);
        using var tenant = Client(SiloHost.DevKey);
        var forbidden = await ProblemAssert.Is(await tenant.GetAsync("/admin/v1/tenants"), HttpStatusCode.Forbidden);
        Assert.Contains("operator key", forbidden.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var wrong = Client("op-key-wrong");
        await ProblemAssert.Is(await wrong.GetAsync("/admin/v1/tenants"), HttpStatusCode.Unauthorized);
        using var rotated = Client(AdminSiloHost.RotatedOperatorKey);
        Assert.Equal(HttpStatusCode.OK, (await rotated.GetAsync("/admin/v1/tenants")).StatusCode);
    }

    [Fact]
    public async Task The_dashboard_takes_the_operator_key_as_bearer_or_basic_password_and_nothing_else()
    {
        using var anonymous = Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/")).StatusCode);
        using var tenant = Client(SiloHost.DevKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.GetAsync("/dashboard/")).StatusCode);
        using var bearer = Client(AdminSiloHost.OperatorKey);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/dashboard/")).StatusCode);
        using var basic = Client(null);
        basic.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + AdminSiloHost.RotatedOperatorKey)));
        Assert.Equal(HttpStatusCode.OK, (await basic.GetAsync("/dashboard/")).StatusCode);
    }

    [Fact]
    public async Task Create_is_201_with_default_quotas_then_409_and_bad_ids_are_400()
    {
        using var op = Operator();
        using var created = await op.PostAsJsonAsync("/admin/v1/tenants", new { id = "create-me" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tenant = await Json(created);
        Assert.Equal("active", tenant.GetProperty("status").GetString());
        Assert.Equal(7, tenant.GetProperty("quotas").GetProperty("maxConcurrentSessions").GetInt32());

        await ProblemAssert.Is(await op.PostAsJsonAsync("/admin/v1/tenants", new { id = "create-me" }), HttpStatusCode.Conflict);
        foreach (var bad in new[] { "ab", "Upper", "has_underscore", new string('a', 41), "dev/x" })
            await ProblemAssert.Is(await op.PostAsJsonAsync("/admin/v1/tenants", new { id = bad }), HttpStatusCode.BadRequest);
        await ProblemAssert.Is(await op.PostAsJsonAsync("/admin/v1/tenants", new { id = "neg-quota", quotas = new { weight = 0 } }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Listing_pages_through_every_tenant_including_the_seeded_dev()
    {
        using var op = Operator();
        foreach (var id in new[] { "list-a", "list-b", "list-c" })
            (await op.PostAsJsonAsync("/admin/v1/tenants", new { id })).EnsureSuccessStatusCode();

        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Json(await op.GetAsync("/admin/v1/tenants?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))));
            ids.AddRange(page.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()!));
            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);

        Assert.Contains("dev", ids);
        Assert.Contains("list-a", ids);
        Assert.Contains("list-c", ids);
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        await ProblemAssert.Is(await op.GetAsync("/admin/v1/tenants?limit=0"), HttpStatusCode.BadRequest);
        await ProblemAssert.Is(await op.GetAsync("/admin/v1/tenants?cursor=%25%25"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Patch_changes_only_the_quotas_given()
    {
        using var op = Operator();
        (await op.PostAsJsonAsync("/admin/v1/tenants", new { id = "patch-me", quotas = new { maxTextChars = 500 } })).EnsureSuccessStatusCode();

        var patched = await Json(await op.PatchAsJsonAsync("/admin/v1/tenants/patch-me", new { quotas = new { requestsPerMinute = 60 } }));

        var quotas = patched.GetProperty("quotas");
        Assert.Equal(60, quotas.GetProperty("requestsPerMinute").GetInt32());
        Assert.Equal(500, quotas.GetProperty("maxTextChars").GetInt32());
        Assert.Equal(7, quotas.GetProperty("maxConcurrentSessions").GetInt32());
        await ProblemAssert.Is(await op.PatchAsJsonAsync("/admin/v1/tenants/patch-me", new { status = "gone" }), HttpStatusCode.BadRequest);
        await ProblemAssert.Is(await op.PatchAsJsonAsync("/admin/v1/tenants/no-such", new { status = "active" }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_key_is_shown_once_listed_without_its_secret_works_on_v1_and_is_401_once_revoked()
    {
        using var op = Operator();
        (await op.PostAsJsonAsync("/admin/v1/tenants", new { id = "keys-me" })).EnsureSuccessStatusCode();
        using var createdResponse = await op.PostAsJsonAsync("/admin/v1/tenants/keys-me/keys", new { name = "ci" });
        Assert.Equal(HttpStatusCode.Created, createdResponse.StatusCode);
        var created = await Json(createdResponse);
        var secret = created.GetProperty("key").GetString()!;
        var keyId = created.GetProperty("id").GetString()!;
        Assert.StartsWith("key_", keyId, StringComparison.Ordinal);
        Assert.Equal(secret[..8], created.GetProperty("prefix").GetString());

        using var tenant = Client(secret);
        Assert.Equal(HttpStatusCode.Created, (await tenant.PostAsJsonAsync("/v1/sessions", new { text = "abc" })).StatusCode);
        var listing = await (await op.GetAsync("/admin/v1/tenants/keys-me/keys")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, listing, StringComparison.Ordinal);
        Assert.DoesNotContain(SeedGrains.Abstractions.Tenants.ApiKeyHash.Of(secret), listing, StringComparison.Ordinal);
        var listed = Assert.Single(JsonDocument.Parse(listing).RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal("ci", listed.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("lastUsedAt").ValueKind);

        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"/admin/v1/tenants/keys-me/keys/{keyId}")).StatusCode);

        await ProblemAssert.Is(await tenant.GetAsync("/v1/sessions/s_x"), HttpStatusCode.Unauthorized);
        await ProblemAssert.Is(await op.DeleteAsync($"/admin/v1/tenants/keys-me/keys/{keyId}"), HttpStatusCode.NotFound);
        await ProblemAssert.Is(await op.PostAsJsonAsync("/admin/v1/tenants/keys-me/keys", new { expiresAt = "2000-01-01T00:00:00Z" }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_suspended_tenant_is_403_naming_it_until_resumed()
    {
        using var op = Operator();
        (await op.PostAsJsonAsync("/admin/v1/tenants", new { id = "suspend-me" })).EnsureSuccessStatusCode();
        var secret = (await Json(await op.PostAsJsonAsync("/admin/v1/tenants/suspend-me/keys", new { }))).GetProperty("key").GetString()!;
        using var tenant = Client(secret);

        var suspended = await Json(await op.PatchAsJsonAsync("/admin/v1/tenants/suspend-me", new { status = "suspended" }));
        Assert.Equal("suspended", suspended.GetProperty("status").GetString());
        var refused = await ProblemAssert.Is(await tenant.PostAsJsonAsync("/v1/sessions", new { text = "abc" }), HttpStatusCode.Forbidden);
        Assert.Equal("Tenant 'suspend-me' is suspended.", refused.GetProperty("detail").GetString());

        (await op.PatchAsJsonAsync("/admin/v1/tenants/suspend-me", new { status = "active" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await tenant.PostAsJsonAsync("/v1/sessions", new { text = "abc" })).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_tenant_revokes_its_keys_at_once_and_it_is_gone()
    {
        using var op = Operator();
        (await op.PostAsJsonAsync("/admin/v1/tenants", new { id = "delete-me" })).EnsureSuccessStatusCode();
        var secret = (await Json(await op.PostAsJsonAsync("/admin/v1/tenants/delete-me/keys", new { }))).GetProperty("key").GetString()!;
        using var tenant = Client(secret);
        Host.Stepper.Gate.Reset(); // keep the session denoising, so deletion has one to cancel
        var session = await Json(await tenant.PostAsJsonAsync("/v1/sessions", new { text = "abcdef", regions = new[] { new { start = 1, end = 5 } } }));
        Assert.Equal("denoising", session.GetProperty("status").GetString());
        Assert.Equal(1, (await Json(await op.GetAsync("/admin/v1/tenants/delete-me"))).GetProperty("usage").GetProperty("activeSessions").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync("/admin/v1/tenants/delete-me")).StatusCode);
        Host.Stepper.Gate.Set();

        await ProblemAssert.Is(await tenant.GetAsync("/v1/sessions/" + session.GetProperty("id").GetString()), HttpStatusCode.Unauthorized);
        await ProblemAssert.Is(await op.GetAsync("/admin/v1/tenants/delete-me"), HttpStatusCode.NotFound);
        await ProblemAssert.Is(await op.DeleteAsync("/admin/v1/tenants/delete-me"), HttpStatusCode.NotFound);
        var all = await (await op.GetAsync("/admin/v1/tenants?limit=200")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"delete-me\"", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenant_usage_is_the_operators_with_the_tenants_hours_and_403_401_404_otherwise()
    {
        using var op = Operator();
        (await op.PostAsJsonAsync("/admin/v1/tenants", new { id = "usage-me" })).EnsureSuccessStatusCode();
        var secret = (await Json(await op.PostAsJsonAsync("/admin/v1/tenants/usage-me/keys", new { }))).GetProperty("key").GetString()!;
        using var tenant = Client(secret);
        // A known workload: one completion of 5 tokens (one token a step on the fake model; its session is transient,
        // so it is not counted as created) and one stored session with nothing to generate.
        using (var completion = await tenant.PostAsJsonAsync("/v1/completions", new { prompt = "x = ", max_tokens = 5 }))
            Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
        using (var session = await tenant.PostAsJsonAsync("/v1/sessions", new { text = "abc" }))
            Assert.Equal(HttpStatusCode.Created, session.StatusCode);
        // The grains meter by real time (the API's clock is a fake): give the range explicitly.
        var now = DateTimeOffset.UtcNow;
        var range = $"from={Uri.EscapeDataString(now.AddHours(-2).ToString("O"))}&to={Uri.EscapeDataString(now.AddHours(2).ToString("O"))}";
        var route = $"/admin/v1/tenants/usage-me/usage?{range}";

        // The session reports its tokens just after it settles and the API its completion just after answering; nothing
        // signals the test across HTTP, so poll until both have arrived.
        var report = await Json(await op.GetAsync(route));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (report.GetProperty("totals").GetProperty("completions").GetInt64() < 1
               || report.GetProperty("totals").GetProperty("generated_tokens").GetInt64() < 5
               || report.GetProperty("totals").GetProperty("sessions_created").GetInt64() < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"usage never reached the workload: {report}");
            await Task.Delay(20);
            report = await Json(await op.GetAsync(route));
        }

        Assert.Equal("usage", report.GetProperty("object").GetString());
        Assert.Equal("usage-me", report.GetProperty("tenant").GetString());
        var hour = Assert.Single(report.GetProperty("hours").EnumerateArray());
        Assert.Equal(1, hour.GetProperty("sessions_created").GetInt64());
        Assert.Equal(1, hour.GetProperty("completions").GetInt64());
        Assert.Equal(5, hour.GetProperty("generated_tokens").GetInt64());
        Assert.Equal(5, hour.GetProperty("steps").GetInt64());
        Assert.True(hour.GetProperty("prompt_tokens").GetInt64() > 0);
        // The same report the tenant reads for itself.
        var own = await Json(await tenant.GetAsync($"/v1/usage?{range}"));
        Assert.Equal(report.GetProperty("totals").ToString(), own.GetProperty("totals").ToString());

        await ProblemAssert.Is(await tenant.GetAsync(route), HttpStatusCode.Forbidden);
        using var anonymous = Client(null);
        await ProblemAssert.Is(await anonymous.GetAsync(route), HttpStatusCode.Unauthorized);
        var missing = await ProblemAssert.Is(await op.GetAsync($"/admin/v1/tenants/no-such-tenant/usage?{range}"), HttpStatusCode.NotFound);
        Assert.Contains("no-such-tenant", missing.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAssert.Is(await op.GetAsync("/admin/v1/tenants/usage-me/usage?from=yesterday"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_admin_routes_are_described_in_the_openapi_document_under_their_own_tag()
    {
        using var anonymous = Client(null);
        var document = await anonymous.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/admin/v1/tenants/{id}/keys/{keyId}", document, StringComparison.Ordinal);
        Assert.Contains("\"Admin\"", document, StringComparison.Ordinal);
    }

    private HttpClient Operator() => Client(AdminSiloHost.OperatorKey);

    private HttpClient Client(string? bearer)
    {
        var client = new HttpClient { BaseAddress = Host.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
