using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// What OpenAI's clients rely on, over real Kestrel with the fake model (which fills the leftmost mask with the letter
/// 'a' + its window position, so the middle after the 4-character prompt "x = " reads "efgh…"): OpenAI's error body,
/// `x-request-id`, `/v1/models`, `stop`, `n`, array prompts, the usage chunk, and refusals of what is not supported.
/// </summary>
public sealed class OpenAiCompatibilityTests(SiloHost host) : IClassFixture<SiloHost>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task Completion_errors_are_openai_error_bodies_naming_the_field()
    {
        using var response = await Client.PostAsJsonAsync("/v1/completions", new { prompt = "x", max_tokens = 0 });
        var error = await ProblemAssert.Is(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("max_tokens", error.GetProperty("param").GetString());
        Assert.Contains("max_tokens = 0", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_an_openai_authentication_error_with_the_server_s_detail()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(new { prompt = "x" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-key");
        using var response = await Client.SendAsync(request);
        var error = await ProblemAssert.Is(response, HttpStatusCode.Unauthorized);
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("{\"prompt\": \"x\", \"logprobs\": 2}", "logprobs")]
    [InlineData("{\"prompt\": \"x\", \"echo\": true}", "echo")]
    [InlineData("{\"prompt\": \"x\", \"best_of\": 3}", "best_of")]
    [InlineData("{\"prompt\": \"x\", \"n\": 0}", "n")]
    [InlineData("{\"prompt\": \"x\", \"n\": 17}", "n")]
    [InlineData("{\"prompt\": [\"a\", \"b\"], \"n\": 9}", "n")]
    [InlineData("{\"prompt\": \"x\", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}", "stop")]
    [InlineData("{\"prompt\": \"x\", \"stop\": [\"\"]}", "stop[0]")]
    [InlineData("{\"prompt\": [], \"max_tokens\": 2}", "prompt")]
    [InlineData("{\"prompt\": \"x\", \"stream_options\": {\"include_usage\": true}}", "stream_options")]
    public async Task What_cannot_be_honoured_is_a_400_naming_the_field(string body, string field)
    {
        using var response = await Client.PostAsync("/v1/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var error = await ProblemAssert.Is(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, error.GetProperty("param").GetString());
        Assert.Contains(field, error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepted_and_ignored_fields_and_their_neutral_values_are_fine()
    {
        using var response = await Client.PostAsJsonAsync("/v1/completions",
            new { prompt = "x = ", max_tokens = 2, temperature = 0.2, top_p = 1, best_of = 1, echo = false, user = "u1", logprobs = (int?)null });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_that_is_also_the_problem_s_trace_id()
    {
        using var health = await Client.GetAsync("/healthz");
        Assert.StartsWith("req_", Single(health, "x-request-id"), StringComparison.Ordinal);

        using var missing = await Client.GetAsync("/v1/sessions/nope");
        var problem = await ProblemAssert.Is(missing, HttpStatusCode.NotFound);
        Assert.Equal(Single(missing, "x-request-id"), problem.GetProperty("traceId").GetString());

        using var offered = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        offered.Headers.Add("x-request-id", "client-retry-42");
        using var echoed = await Client.SendAsync(offered);
        Assert.Equal("client-retry-42", Single(echoed, "x-request-id"));

        using var odd = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        odd.Headers.TryAddWithoutValidation("x-request-id", "has spaces and <angle> brackets");
        using var replaced = await Client.SendAsync(odd);
        Assert.StartsWith("req_", Single(replaced, "x-request-id"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_are_listed_in_openai_s_shape_and_shown_by_id()
    {
        var list = JsonDocument.Parse(await Client.GetStringAsync("/v1/models")).RootElement;
        Assert.Equal("list", list.GetProperty("object").GetString());
        var model = Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.Equal(FakeModel.Name, model.GetProperty("id").GetString());
        Assert.Equal("model", model.GetProperty("object").GetString());
        Assert.True(model.GetProperty("created").GetInt64() > 0);
        Assert.Equal("seedgrains", model.GetProperty("owned_by").GetString());

        var one = JsonDocument.Parse(await Client.GetStringAsync($"/v1/models/{FakeModel.Name}")).RootElement;
        Assert.Equal(FakeModel.Name, one.GetProperty("id").GetString());

        using var unknown = await Client.GetAsync("/v1/models/gpt-4");
        var error = await ProblemAssert.Is(unknown, HttpStatusCode.NotFound);
        Assert.Equal("not_found_error", error.GetProperty("type").GetString());

        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        anonymous.Headers.Authorization = null;
        using var refused = await new HttpClient { BaseAddress = Client.BaseAddress }.SendAsync(anonymous);
        await ProblemAssert.Is(refused, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_stop_string_ends_the_text_before_it()
    {
        var whole = await Complete(new { prompt = "x = ", max_tokens = 8, stop = "gh" });
        var choice = Assert.Single(whole.GetProperty("choices").EnumerateArray());
        Assert.Equal("ef", choice.GetProperty("text").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(2, whole.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        var without = await Complete(new { prompt = "x = ", max_tokens = 8, stop = new[] { "zz", "q" } });
        Assert.Equal("efghijkl", without.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal("length", without.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task A_streamed_completion_never_sends_part_of_a_stop_string()
    {
        var chunks = await Stream(new { prompt = "x = ", max_tokens = 8, stop = new[] { "ghi", "zz" }, stream = true });
        var texts = chunks.Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()).ToList();
        Assert.Equal("ef", string.Concat(texts));
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task N_and_array_prompts_give_one_choice_each_with_usage_summed()
    {
        var whole = await Complete(new { prompt = new[] { "x = ", "y = " }, n = 2, max_tokens = 4 });
        var choices = whole.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.All(choices, c => Assert.Equal("efgh", c.GetProperty("text").GetString()));
        Assert.All(choices, c => Assert.Equal("length", c.GetProperty("finish_reason").GetString()));
        var usage = whole.GetProperty("usage");
        Assert.Equal(16, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(8, usage.GetProperty("prompt_tokens").GetInt32()); // each prompt read once: 2 × 4 characters
    }

    [Fact]
    public async Task A_stream_with_include_usage_ends_with_a_usage_chunk_without_choices()
    {
        var chunks = await Stream(new { prompt = "x = ", max_tokens = 4, n = 2, stream = true, stream_options = new { include_usage = true } });
        var last = chunks[^1];
        Assert.Empty(last.GetProperty("choices").EnumerateArray());
        Assert.Equal(8, last.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        foreach (var index in new[] { 0, 1 })
        {
            var mine = chunks.SkipLast(1).Select(c => c.GetProperty("choices")[0]).Where(c => c.GetProperty("index").GetInt32() == index).ToList();
            Assert.Equal("efgh", string.Concat(mine.Select(c => c.GetProperty("text").GetString())));
            Assert.Equal("length", mine[^1].GetProperty("finish_reason").GetString());
        }
        Assert.All(chunks.SkipLast(1), c => Assert.False(c.TryGetProperty("usage", out _)));
    }

    private async Task<JsonElement> Complete(object body)
    {
        using var response = await Client.PostAsJsonAsync("/v1/completions", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The data of every event before `[DONE]`, which must be the last.</summary>
    private async Task<List<JsonElement>> Stream(object body)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var data = new List<string>();
        while (await events.Next(timeout.Token) is { } next) data.Add(next.Data);
        Assert.Equal("[DONE]", data[^1]);
        return data.SkipLast(1).Select(d => JsonDocument.Parse(d).RootElement.Clone()).ToList();
    }

    private static string Single(HttpResponseMessage response, string header) => Assert.Single(response.Headers.GetValues(header));
}
