using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// Thousands of seeded hostile requests over every public route, then a handful of lying ones over a raw socket:
/// never a 5xx, every error a problem body naming no .NET internals, and the service still works afterwards.
/// </summary>
public sealed class ApiFuzzTests(SiloHost host, ITestOutputHelper output) : IClassFixture<SiloHost>
{
    private const int Seed = 20261206;
    private const int Requests = 5200;
    private const int Workers = 4;

    [Fact]
    public async Task Hostile_requests_never_get_a_5xx_and_every_error_is_a_clean_problem()
    {
        var known = await CreateIdleSession();
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        using var client = new HttpClient { BaseAddress = host.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };

        // Each worker has its own seeded generator: the same requests every run, whatever the interleaving.
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var fuzzer = new RequestFuzzer(Seed + worker, SiloHost.DevKey, known);
            for (var i = 0; i < Requests / Workers; i++)
            {
                var request = fuzzer.Next();
                var (status, problem) = await Send(client, request);
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (problem is not null) failures.Enqueue($"{request} → {status}: {problem}");
            }
        })));

        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers, e.g.:\n{string.Join("\n", failures.Take(10))}");
        Assert.Equal(Requests, statuses.Values.Sum());
        Assert.Empty(host.Logs.Unhandled());
        await AssertTheServiceStillWorks();
    }

    [Theory]
    [InlineData("shorter Content-Length than body", "Content-Length: 5\n", "{\"text\": \"a\"}")]
    [InlineData("broken chunk size", "Transfer-Encoding: chunked\n", "zz\r\n{}\r\n0\r\n\r\n")]
    [InlineData("chunk longer than declared", "Transfer-Encoding: chunked\n", "2\r\n{\"text\": \"a\"}\r\n0\r\n\r\n")]
    [InlineData("both Content-Length and chunked", "Content-Length: 3\nTransfer-Encoding: chunked\n", "2\r\n{}\r\n0\r\n\r\n")]
    [InlineData("control byte in a header", "X-Odd: a\u0001b\n", "{\"text\": \"a\"}")]
    [InlineData("declared length over the limit", "Content-Length: 99999999999\n", "{")]
    public async Task Lying_lengths_and_broken_framing_that_reach_the_app_get_a_problem(string what, string headers, string body)
    {
        var head = $"POST /v1/sessions HTTP/1.1\nHost: localhost\nAuthorization: Bearer {SiloHost.DevKey}\nContent-Type: application/json\n{headers}Connection: close\n";
        var answer = await RawHttp.Send(host.Client.BaseAddress!, RawHttp.Bytes(head, body));
        Assert.True(answer.Status is >= 400 and < 500, $"{what}: {answer.Status} {answer.Body}");
        ProblemAssert.Valid(answer.Status!.Value, answer.ContentType?.Split(';')[0], answer.Body);
        await AssertTheServiceStillWorks();
    }

    /// <summary>One request; the problem with its answer, or null when the answer is acceptable.</summary>
    private static async Task<(int Status, string? Problem)> Send(HttpClient client, FuzzRequest fuzz)
    {
        using var request = new HttpRequestMessage(fuzz.Method, fuzz.Path);
        if (fuzz.Body is not null)
        {
            request.Content = new ByteArrayContent(fuzz.Body);
            if (fuzz.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
        }
        if (fuzz.Authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", fuzz.Authorization);
        if (fuzz.Accept is not null) request.Headers.TryAddWithoutValidation("Accept", fuzz.Accept);
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        if (status >= 500) return (status, "a server error: " + body);
        if (status < 400 || fuzz.Method == HttpMethod.Head) return (status, null);
        try
        {
            ProblemAssert.Valid(status, response.Content.Headers.ContentType?.MediaType, body, request.RequestUri?.IsAbsoluteUri == true ? request.RequestUri.AbsolutePath : fuzz.Path.Split('?')[0]);
            return (status, null);
        }
        catch (Exception ex) when (ex is Xunit.Sdk.XunitException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (status, ex.Message);
        }
    }

    private async Task<string> CreateIdleSession()
    {
        using var created = await host.Client.PostAsJsonAsync("/v1/sessions", new { text = "fuzz me" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>A normal create with one small region reaches idle.</summary>
    private async Task AssertTheServiceStillWorks()
    {
        using var created = await host.Client.PostAsJsonAsync("/v1/sessions", new { text = "abc", regions = new[] { new { start = 1, end = 2, maxTokens = 2 } } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var session = await Sse.SettledSession(host.Client, id!);
        Assert.Equal("idle", session.GetProperty("status").GetString());
    }
}
