using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// Every wrong request is a 4xx problem that names what is wrong in the client's terms (JSON fields, not .NET types),
/// whatever the client accepts and however the body is sent.
/// </summary>
public sealed class ApiErrorTests(SiloHost host) : IClassFixture<SiloHost>
{
    private HttpClient Client => host.Client;

    [Theory]
    [InlineData("/v1/completions", "{\"prompt\": null}", "prompt must be a string")]
    [InlineData("/v1/sessions", "{\"text\": null}", "text must be a string")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"regions\": [null]}", "regions[0] must be an object {start, end}")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"regions\": [{\"start\": 0, \"end\": 1}, null]}", "regions[1] must be an object")]
    [InlineData("{id}/edits", "{\"baseVersion\": 1, \"edits\": [null]}", "edits[0] must be an object {start, end, text}")]
    [InlineData("{id}/edits", "{\"baseVersion\": 1, \"regenerate\": [null]}", "regenerate[0] must be an object {start, end}")]
    [InlineData("{id}/edits", "{\"baseVersion\": 1, \"edits\": [{\"start\": 0, \"end\": 0, \"text\": null}]}", "edits[0].text must be a string")]
    public async Task Nulls_where_a_value_is_required_are_400_naming_the_field(string route, string body, string expected)
    {
        var problem = await Post(await Route(route), body, HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"decoding\": {\"policy\": \"fastest\"}}", "decoding.policy must be one of confidence, topk, entropy, not 'fastest'.")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"decoding\": {\"threshold\": 0}}", "decoding.threshold must be in (0, 1], not 0.")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"decoding\": {\"maxSteps\": 100000}}", "decoding.maxSteps must be in 1..1024 (Sessions:MaxStepBudget), not 100000.")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"decoding\": {\"temperature\": 9}}", "decoding.temperature must be in [0, 2] (Sessions:MaxTemperature), not 9.")]
    [InlineData("{id}/edits", "{\"baseVersion\": 1, \"decoding\": {\"blockSize\": -1}}", "decoding.blockSize must be in 0..1024 (0 = the whole region), not -1.")]
    [InlineData("{id}/edits", "{\"baseVersion\": 1, \"decoding\": {\"seed\": -5}}", "decoding.seed must be 0 or more, not -5.")]
    public async Task Decoding_outside_the_server_limits_is_400_naming_the_field(string route, string body, string expected)
    {
        var problem = await Post(await Route(route), body, HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_decoding_within_the_limits_is_accepted_on_create_and_regenerate()
    {
        const string decoding = "\"decoding\": {\"policy\": \"entropy\", \"threshold\": 1, \"entropyBound\": 0.5, \"maxSteps\": 1024, \"blockSize\": 0, \"temperature\": 2, \"seed\": 7}";
        using var created = await Client.PostAsync("/v1/sessions", new StringContent("{\"text\": \"abc\", " + decoding + "}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        using var edited = await Client.PostAsync($"/v1/sessions/{id}/edits",
            new StringContent("{\"baseVersion\": 1, \"regenerate\": [{\"start\": 0, \"end\": 1}], " + decoding + "}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
    }

    [Theory]
    [InlineData("/v1/sessions", "{\"text\": 5}", "`text`: expected a string")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"regions\": \"all\"}", "`regions`: expected an array")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"regions\": [{\"start\": \"0\", \"end\": 1}]}", "`regions[0].start`: expected an integer")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"regions\": [{\"start\": 1e40, \"end\": 1}]}", "`regions[0].start`: expected an integer")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"regions\": [{\"start\": 99999999999, \"end\": 1}]}", "`regions[0].start`: expected an integer")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"regions\": [5]}", "`regions[0]`: expected an object")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"regions\": [{\"start\": 0}]}", "missing required field 'end'")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\", \"priority\": 3}", "`priority`: expected \"interactive\" or \"bulk\"")]
    [InlineData("/v1/sessions", "[1, 2]", "The body: expected an object")]
    [InlineData("/v1/sessions", "{\"text\": \"abc\"", "The body is not valid JSON")]
    [InlineData("/v1/sessions", "{}", "missing required field 'text'")]
    [InlineData("/v1/completions", "{\"prompt\": \"a\", \"max_tokens\": \"many\"}", "`max_tokens`: expected an integer")]
    [InlineData("/v1/completions", "{\"prompt\": \"a\", \"stream\": \"yes\"}", "`stream`: expected true or false")]
    [InlineData("/v1/completions", "{\"prompt\": 5}", "prompt must be a string or an array of strings")]
    [InlineData("/v1/completions", "{\"prompt\": [\"a\", 5]}", "prompt[1] must be a string")]
    [InlineData("{id}/edits", "{\"baseVersion\": \"latest\"}", "`baseVersion`: expected an integer")]
    [InlineData("{id}/edits", "{\"baseVersion\": 1, \"edits\": [{\"start\": 0, \"end\": 0, \"text\": 7}]}", "`edits[0].text`: expected a string")]
    public async Task Wrong_types_are_400_in_json_terms_without_dotnet_type_names(string route, string body, string expected)
    {
        var problem = await Post(await Route(route), body, HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/jsonx")]
    public async Task A_body_not_sent_as_json_is_415(string? contentType)
    {
        foreach (var route in new[] { "/v1/sessions", "/v1/completions", await Route("{id}/edits") })
        {
            using var content = new ByteArrayContent("{\"text\": \"abc\", \"prompt\": \"a\", \"baseVersion\": 1}"u8.ToArray());
            if (contentType is not null) content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            using var response = await Client.PostAsync(route, content);
            var problem = await ProblemAssert.Is(response, HttpStatusCode.UnsupportedMediaType);
            if (!ProblemAssert.IsOpenAiRoute(route)) Assert.Equal("Unsupported media type", problem.GetProperty("title").GetString());
            Assert.Contains("application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    public async Task Json_media_types_are_accepted(string contentType)
    {
        using var content = new ByteArrayContent("{\"text\": \"abc\"}"u8.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await Client.PostAsync("/v1/sessions", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("text/plain")]
    public async Task Router_404_and_405_are_problem_details_whatever_accept_says(string accept)
    {
        using var notFound = new HttpRequestMessage(HttpMethod.Get, "/v1/nothing-here");
        notFound.Headers.Accept.ParseAdd(accept);
        using var notFoundAnswer = await Client.SendAsync(notFound);
        Assert.Equal("Not found", (await ProblemAssert.Is(notFoundAnswer, HttpStatusCode.NotFound)).GetProperty("title").GetString());

        using var wrongMethod = new HttpRequestMessage(HttpMethod.Put, "/v1/sessions");
        wrongMethod.Headers.Accept.ParseAdd(accept);
        using var wrongMethodAnswer = await Client.SendAsync(wrongMethod);
        Assert.Equal("Method not allowed", (await ProblemAssert.Is(wrongMethodAnswer, HttpStatusCode.MethodNotAllowed)).GetProperty("title").GetString());

        using var unauthorized = new HttpRequestMessage(HttpMethod.Get, "/v1/sessions/s_x");
        unauthorized.Headers.Accept.ParseAdd(accept);
        unauthorized.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        using var unauthorizedAnswer = await Client.SendAsync(unauthorized);
        await ProblemAssert.Is(unauthorizedAnswer, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413_titled_payload_too_large()
    {
        // Kestrel's limit is 30 MB; a declared length over it is refused when the body is first read, before it is sent.
        var answer = await RawHttp.Send(Client.BaseAddress!, RawHttp.Bytes(
            $"POST /v1/sessions HTTP/1.1\nHost: x\nAuthorization: Bearer {SiloHost.DevKey}\nContent-Type: application/json\nContent-Length: 40000000\nConnection: close\n",
            "{\"text\": \"a"));
        Assert.Equal(413, answer.Status);
        var problem = ProblemAssert.Valid(413, answer.ContentType?.Split(';')[0], answer.Body);
        Assert.Equal("Payload too large", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_long_id_is_echoed_truncated()
    {
        var id = "s_" + new string('x', 1000);
        using var response = await Client.GetAsync($"/v1/sessions/{id}");
        var problem = await ProblemAssert.Is(response, HttpStatusCode.NotFound);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.DoesNotContain(id, detail, StringComparison.Ordinal);
        Assert.Contains(id[..64] + "…", detail, StringComparison.Ordinal);
        Assert.True(problem.GetProperty("instance").GetString()!.Length <= 129, problem.GetProperty("instance").GetString());

        using var routeMiss = await Client.GetAsync("/v1/" + new string('y', 1000));
        var missDetail = (await ProblemAssert.Is(routeMiss, HttpStatusCode.NotFound)).GetProperty("detail").GetString()!;
        Assert.True(missDetail.Length < 200, missDetail);
    }

    [Fact]
    public async Task Head_healthz_is_200_without_a_body()
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Quota_429s_carry_retry_after_on_creates_edits_and_completions()
    {
        var tenant = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>("dev");
        var quotas = await tenant.GetQuotas();
        var idle = await Route("{id}");
        host.Stepper.Gate.Reset();
        try
        {
            await tenant.SetQuotas(quotas with { MaxConcurrentSessions = (await tenant.GetUsage()).ActiveSessions + 1 });
            using var holder = await Client.PostAsJsonAsync("/v1/sessions", new { text = "ab", regions = new[] { new { start = 1, end = 1, maxTokens = 2 } } });
            Assert.Equal(HttpStatusCode.Created, holder.StatusCode);

            using var create = await Client.PostAsJsonAsync("/v1/sessions", new { text = "ab", regions = new[] { new { start = 1, end = 1 } } });
            using var edit = await Client.PostAsJsonAsync($"{idle}/edits", new { baseVersion = 1, regenerate = new[] { new { start = 0, end = 1 } } });
            using var completion = await Client.PostAsJsonAsync("/v1/completions", new { prompt = "x", max_tokens = 2 });
            foreach (var refused in new[] { create, edit, completion })
            {
                await ProblemAssert.Is(refused, HttpStatusCode.TooManyRequests);
                Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"{refused.RequestMessage!.RequestUri}: no Retry-After");
            }
        }
        finally
        {
            await tenant.SetQuotas(quotas);
            host.Stepper.Gate.Set();
        }
    }

    /// <summary>"{id}" routes go to a fresh idle session (no regions: idle at version 1).</summary>
    private async Task<string> Route(string route)
    {
        if (!route.StartsWith("{id}", StringComparison.Ordinal)) return route;
        using var created = await Client.PostAsJsonAsync("/v1/sessions", new { text = "abc" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        return $"/v1/sessions/{id}" + route["{id}".Length..];
    }

    private async Task<JsonElement> Post(string route, string body, HttpStatusCode status)
    {
        using var response = await Client.PostAsync(route, new StringContent(body, Encoding.UTF8, "application/json"));
        return await ProblemAssert.Is(response, status);
    }
}
