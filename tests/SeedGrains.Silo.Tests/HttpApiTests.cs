using SeedGrains.Silo.Api;
using Microsoft.Extensions.Options;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Tests;

/// <summary>HTTP end to end: the real host on loopback, a real HttpClient, the fake model (letters 'a' + position % 26).</summary>
public sealed class HttpApiTests(SiloHost host) : IClassFixture<SiloHost>
{
    private const string Prefix = "fn main() {\r\n    let π = \"🌍\";\n    ";
    private const string Middle = "println!(\"{}\", π);";
    private const string Suffix = "\n}\n";
    private HttpClient Client => host.Client;

    [Fact]
    public async Task Create_then_poll_to_idle_keeps_the_text_outside_the_region()
    {
        var created = await Create(Prefix + Middle + Suffix, Prefix.Length, Prefix.Length + Middle.Length, maxTokens: 6);
        Assert.Equal(1, created.GetProperty("version").GetInt64());
        Assert.Equal("denoising", created.GetProperty("status").GetString());

        var session = await WaitUntilIdle(created.GetProperty("id").GetString()!);

        Assert.Equal(Prefix + Letters(Prefix.Length, 6) + Suffix, session.GetProperty("text").GetString());
        Assert.Equal(0, session.GetProperty("masked").GetInt32());
        Assert.Equal(7, session.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Events_stream_the_snapshot_then_changes_and_end_when_idle()
    {
        host.Stepper.Gate.Reset();
        var created = await Create("abc", 1, 2, maxTokens: 3);
        var id = created.GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var response = await Client.GetAsync($"/v1/sessions/{id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        host.Stepper.Gate.Set();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await Sse.ReadAll(response, timeout.Token);

        Assert.Equal("snapshot", events[0].Event);
        Assert.Equal("denoising", Json(events[0].Data).GetProperty("status").GetString());
        Assert.All(events.Skip(1), e => Assert.Equal("change", e.Event));
        Assert.Equal(["1", "2", "3", "4"], events.Select(e => e.Id));
        var text = Json(events[0].Data).GetProperty("text").GetString()!;
        foreach (var change in events.Skip(1).Select(e => Json(e.Data)))
        {
            Assert.Equal("model", change.GetProperty("author").GetString());
            Assert.False(change.TryGetProperty("text", out _)); // deltas only
            text = Sse.ApplyOps(text, change);
        }
        Assert.Equal("idle", Json(events[^1].Data).GetProperty("status").GetString());
        Assert.Equal("a" + Letters(1, 3) + "c", text);
    }

    [Fact]
    public async Task Edit_with_the_current_version_regenerates_and_only_an_overlap_with_another_person_is_409()
    {
        var created = await Create("0123456789", 0, 0, maxTokens: 1);
        var id = created.GetProperty("id").GetString()!;
        var idle = await WaitUntilIdle(id);
        var version = idle.GetProperty("version").GetInt64();
        // A region at the document's start: the window leads with the end token, so the fake writes window position 1's letter.
        Assert.Equal("b0123456789", idle.GetProperty("text").GetString());

        using var edited = await Client.PostAsJsonAsync($"/v1/sessions/{id}/edits", new
        {
            baseVersion = version,
            edits = new[] { new { start = 11, end = 11, text = "!" } },
            regenerate = new[] { new { start = 3, end = 5, maxTokens = 2 } },
        });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var afterEdit = Json(await edited.Content.ReadAsStringAsync());
        Assert.Equal(version + 2, afterEdit.GetProperty("version").GetInt64()); // the edit, then the masking
        Assert.Equal("denoising", afterEdit.GetProperty("status").GetString());
        var final = await WaitUntilIdle(id);
        Assert.Equal("b01" + Letters(3, 2) + "456789!", final.GetProperty("text").GetString());
        var current = final.GetProperty("version").GetInt64();

        using var ann = await Client.PostAsJsonAsync($"/v1/sessions/{id}/edits", new { baseVersion = current, clientId = "ann", edits = new[] { new { start = 0, end = 2, text = "A" } } });
        Assert.Equal(HttpStatusCode.OK, ann.StatusCode);
        // Stale, but apart from ann's change: rebased and applied (after the earlier insertion at the same point).
        using var apart = await Client.PostAsJsonAsync($"/v1/sessions/{id}/edits", new { baseVersion = version, clientId = "bob", edits = new[] { new { start = 11, end = 11, text = "?" } } });
        Assert.Equal(HttpStatusCode.OK, apart.StatusCode);
        Assert.Equal("A1" + Letters(3, 2) + "456789!?", Json(await apart.Content.ReadAsStringAsync()).GetProperty("text").GetString());

        using var overlap = await Client.PostAsJsonAsync($"/v1/sessions/{id}/edits", new { baseVersion = current, clientId = "bob", edits = new[] { new { start = 1, end = 3, text = "x" } } });
        var problem = await AssertProblem(overlap, HttpStatusCode.Conflict);
        Assert.Equal("Edit conflict", problem.GetProperty("title").GetString());
        Assert.Equal(current + 2, problem.GetProperty("currentVersion").GetInt64());
        var conflict = problem.GetProperty("conflict");
        Assert.Equal((0, 1, current + 1, "ann"), (conflict.GetProperty("start").GetInt32(), conflict.GetProperty("end").GetInt32(), conflict.GetProperty("version").GetInt64(), conflict.GetProperty("author").GetString()));
    }

    [Fact]
    public async Task Delete_cancels_a_session_that_is_denoising()
    {
        host.Stepper.Gate.Reset();
        try
        {
            var created = await Create("xy", 1, 1, maxTokens: 40);
            var id = created.GetProperty("id").GetString()!;
            using var cancelled = await Client.DeleteAsync($"/v1/sessions/{id}");
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
            var view = Json(await cancelled.Content.ReadAsStringAsync());
            Assert.Equal("cancelled", view.GetProperty("status").GetString());
            Assert.Equal("xy", view.GetProperty("text").GetString());
            Assert.Equal(0, view.GetProperty("masked").GetInt32());
        }
        finally
        {
            host.Stepper.Gate.Set();
        }
    }

    [Theory]
    [InlineData("{\"text\": \"abc\", \"regions\": [{\"start\": 0, \"end\": 1}]", "Invalid JSON")]
    [InlineData("{\"regions\": []}", "Invalid JSON")]
    [InlineData("{\"text\": \"abc\", \"regions\": [{\"start\": 2, \"end\": 7}]}", "Invalid request")]
    [InlineData("{\"text\": \"abcdef\", \"regions\": [{\"start\": 0, \"end\": 3}, {\"start\": 2, \"end\": 4}]}", "Invalid request")]
    [InlineData("{\"text\": \"abc\", \"regions\": [{\"start\": -1, \"end\": 1}]}", "Invalid request")]
    [InlineData("{\"text\": \"abc\", \"priority\": \"urgent\"}", "Invalid JSON")]
    public async Task Malformed_or_out_of_range_requests_are_400_problem_details(string body, string title)
    {
        using var response = await Client.PostAsync("/v1/sessions", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.DoesNotContain("   at ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_and_oversized_text_are_400()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"text\": \"ab__\"}");
        bytes[11] = 0xFF;
        bytes[12] = 0xFE;
        using var utf8 = new ByteArrayContent(bytes);
        utf8.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var badUtf8 = await Client.PostAsync("/v1/sessions", utf8);
        var problem = await AssertProblem(badUtf8, HttpStatusCode.BadRequest);
        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var oversized = await Client.PostAsJsonAsync("/v1/sessions", new { text = new string('x', SiloHost.MaxTextChars + 1) });
        problem = await AssertProblem(oversized, HttpStatusCode.BadRequest);
        Assert.Contains($"limit is {SiloHost.MaxTextChars}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_or_wrong_keys_are_401_and_unknown_or_foreign_sessions_404()
    {
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };
        using var noKey = await anonymous.GetAsync("/v1/sessions/s_x");
        await AssertProblem(noKey, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", noKey.Headers.WwwAuthenticate.Single().Scheme);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-key");
        using var wrongKey = await anonymous.PostAsJsonAsync("/v1/sessions", new { text = "a" });
        await AssertProblem(wrongKey, HttpStatusCode.Unauthorized);

        using var unknown = await Client.GetAsync("/v1/sessions/s_doesnotexist");
        await AssertProblem(unknown, HttpStatusCode.NotFound);
        using var unknownEvents = await Client.GetAsync("/v1/sessions/s_doesnotexist/events");
        await AssertProblem(unknownEvents, HttpStatusCode.NotFound);

        var mine = (await Create("abc", 0, 0, maxTokens: 1)).GetProperty("id").GetString();
        await host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>("other").AddApiKey("other-tenant-key-0123");
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "other-tenant-key-0123");
        using var foreign = await anonymous.GetAsync($"/v1/sessions/{mine}");
        await AssertProblem(foreign, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Over_the_concurrent_session_quota_is_429()
    {
        var tenant = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>("dev");
        var quotas = await tenant.GetQuotas();
        host.Stepper.Gate.Reset();
        try
        {
            await tenant.SetQuotas(quotas with { MaxConcurrentSessions = (await tenant.GetUsage()).ActiveSessions + 1 });
            await Create("ab", 1, 1, maxTokens: 3);
            using var refused = await Client.PostAsJsonAsync("/v1/sessions", new { text = "ab", regions = new[] { new { start = 1, end = 1 } } });
            await AssertProblem(refused, (HttpStatusCode)429);
        }
        finally
        {
            await tenant.SetQuotas(quotas);
            host.Stepper.Gate.Set();
        }
    }

    [Fact]
    public async Task Completions_fill_between_prompt_and_suffix_whole_and_streamed()
    {
        using var whole = await Client.PostAsJsonAsync("/v1/completions", new { prompt = "def f(", suffix = "):\n", max_tokens = 4 });
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        var completion = Json(await whole.Content.ReadAsStringAsync());
        Assert.Equal("text_completion", completion.GetProperty("object").GetString());
        var choice = completion.GetProperty("choices")[0];
        Assert.Equal(Letters(6, 4), choice.GetProperty("text").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(4, completion.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { prompt = "x = ", max_tokens = 5, stream = true }),
        };
        using var streamed = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType?.MediaType);
        var events = await Sse.ReadAll(streamed, CancellationToken.None);
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events.SkipLast(1).Select(e => Json(e.Data).GetProperty("choices")[0]).ToList();
        Assert.Equal(Letters(4, 5), string.Concat(chunks.Select(c => c.GetProperty("text").GetString())));
        Assert.Equal("length", chunks[^1].GetProperty("finish_reason").GetString());
        Assert.True(chunks.Count > 2, "the text should arrive in several chunks");
    }

    [Fact]
    public async Task Health_openapi_dashboard_and_playground_are_served()
    {
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };
        using var health = await anonymous.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", Json(await health.Content.ReadAsStringAsync()).GetProperty("status").GetString());

        var openApi = await anonymous.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/v1/sessions/{id}/edits", openApi, StringComparison.Ordinal);
        Assert.Contains("/v1/completions", openApi, StringComparison.Ordinal);

        using var dashboard = await anonymous.GetAsync("/dashboard");
        Assert.True(dashboard.IsSuccessStatusCode, $"dashboard answered {(int)dashboard.StatusCode}");

        using var playground = await anonymous.GetAsync("/");
        Assert.Equal("text/html", playground.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/playground.js", await playground.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The page's script is its own file (the content security policy forbids inline scripts).
        Assert.Contains("/v1/sessions", await anonymous.GetStringAsync("/playground.js"), StringComparison.Ordinal);

        using var noRoute = await anonymous.GetAsync("/v1/nothing-here");
        await AssertProblem(noRoute, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_dashboard_needs_the_operator_key_unless_the_caller_is_on_this_machine()
    {
        // Kestrel listens on loopback here, so "a remote caller" is simulated by withdrawing the loopback exemption.
        var options = host.Services.GetRequiredService<IOptions<DashboardAccessOptions>>().Value;
        options.AllowLoopback = false;
        options.OperatorKey = "operator-secret";
        try
        {
            using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };
            using var refused = await anonymous.GetAsync("/dashboard");
            await AssertProblem(refused, HttpStatusCode.Unauthorized);
            Assert.StartsWith("Basic", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

            // A tenant's API key is not an operator key.
            using var tenantKey = await Client.GetAsync("/dashboard");
            Assert.Equal(HttpStatusCode.Unauthorized, tenantKey.StatusCode);

            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
            wrong.Headers.Authorization = new("Basic", Convert.ToBase64String("ops:guess"u8.ToArray()));
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);

            // "/dashboard/" itself: HttpClient drops credentials when it follows the redirect from "/dashboard" (browsers resend them).
            using var right = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
            right.Headers.Authorization = new("Basic", Convert.ToBase64String("ops:operator-secret"u8.ToArray()));
            using var allowed = await anonymous.SendAsync(right);
            Assert.True(allowed.IsSuccessStatusCode, $"dashboard with the operator key answered {(int)allowed.StatusCode}: {await allowed.Content.ReadAsStringAsync()}");
        }
        finally
        {
            options.AllowLoopback = true;
            options.OperatorKey = null;
        }
    }

    private async Task<JsonElement> Create(string text, int start, int end, int maxTokens)
    {
        using var response = await Client.PostAsJsonAsync("/v1/sessions", new { text, regions = new[] { new { start, end, maxTokens } } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = Json(await response.Content.ReadAsStringAsync());
        Assert.Equal($"/v1/sessions/{body.GetProperty("id").GetString()}", response.Headers.Location?.ToString());
        return body;
    }

    private async Task<JsonElement> WaitUntilIdle(string id)
    {
        var session = await Sse.SettledSession(Client, id);
        Assert.True(session.GetProperty("status").GetString() == "idle", $"session {id} settled but is not idle: {session}");
        return session;
    }

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = Json(body);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static string Letters(int start, int count) => new(Enumerable.Range(start, count).Select(p => (char)('a' + p % 26)).ToArray());
}
