using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SeedGrains.Silo.Hosting;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// A completion stream always ends well-formed: chunks, then either the final chunk or an error event, then `[DONE]`.
/// The deadline runs on the host's fake clock, and the fake model is held at its gate after the first step.
/// </summary>
public sealed class CompletionStreamTests(SiloHost host) : IClassFixture<SiloHost>
{
    [Fact]
    public async Task A_stream_that_times_out_after_its_first_chunk_ends_with_an_error_event_then_done()
    {
        HoldTheModelAfterItsFirstStep();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            using var response = await Send(new { prompt = "x = ", max_tokens = 5, stream = true }, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var events = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));

            var first = await events.Next(timeout.Token);
            Assert.NotNull(first);
            Assert.False(string.IsNullOrEmpty(Json(first.Data).GetProperty("choices")[0].GetProperty("text").GetString()));

            host.Clock.Advance(TimeSpan.FromSeconds(Limits.CompletionTimeoutSeconds + 1));

            var rest = new List<SseEvent>();
            while (await events.Next(timeout.Token) is { } next) rest.Add(next);
            Assert.Equal("[DONE]", rest[^1].Data);
            var error = Json(rest[^2].Data).GetProperty("error");
            Assert.Equal("timeout", error.GetProperty("type").GetString());
            Assert.Contains("did not finish within", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Empty(host.Logs.Unhandled());
        }
        finally
        {
            ReleaseTheModel();
        }
    }

    [Fact]
    public async Task A_whole_completion_that_times_out_is_503()
    {
        HoldTheModelAfterItsFirstStep();
        try
        {
            var answer = host.Client.PostAsJsonAsync("/v1/completions", new { prompt = "x = ", max_tokens = 5 });
            // Nothing signals "the deadline is armed" (the answer is not sent before it): move the clock past it until
            // the answer comes; each move fires a deadline armed since the last.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (!answer.IsCompleted)
            {
                Assert.True(DateTime.UtcNow < deadline, "the completion did not time out");
                host.Clock.Advance(TimeSpan.FromSeconds(Limits.CompletionTimeoutSeconds + 1));
                await Task.WhenAny(answer, Task.Delay(20));
            }
            using var response = await answer;
            var problem = await ProblemAssert.Is(response, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("did not finish within", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            ReleaseTheModel();
        }
    }

    [Fact]
    public async Task A_stream_whose_session_fails_ends_with_an_error_event_then_done()
    {
        host.Stepper.Override = _ => throw new InvalidOperationException("the fake model broke");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            using var response = await Send(new { prompt = "x = ", max_tokens = 3, stream = true }, timeout.Token);
            var events = await Sse.ReadAll(response, timeout.Token);
            Assert.Equal("[DONE]", events[^1].Data);
            Assert.Equal("server_error", Json(events[^2].Data).GetProperty("error").GetProperty("type").GetString());
            Assert.Empty(host.Logs.Unhandled());
        }
        finally
        {
            host.Stepper.Override = null;
        }
    }

    private HostLimits Limits => host.Services.GetRequiredService<IOptions<HostLimits>>().Value;

    private async Task<HttpResponseMessage> Send(object body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };
        return await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>The first step runs, and closes the gate on its way out: the second waits there.</summary>
    private void HoldTheModelAfterItsFirstStep()
    {
        var letters = host.Stepper.TokenFor;
        host.Stepper.TokenFor = (window, position) =>
        {
            host.Stepper.Gate.Reset();
            return letters(window, position);
        };
        _restoreTokens = letters;
    }

    private Func<int[], int, int>? _restoreTokens;

    private void ReleaseTheModel()
    {
        if (_restoreTokens is not null) host.Stepper.TokenFor = _restoreTokens;
        host.Stepper.Gate.Set();
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
