using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>The session endpoints the benchmark uses, over the public HTTP API with one bearer key.</summary>
internal sealed class CollabApi(Uri server, string key) : IDisposable
{
    private readonly HttpClient _http = NewClient(server, key);

    /// <summary>A client with its own connections (each simulated client gets one, as separate browsers would).</summary>
    public static HttpClient NewClient(Uri server, string key)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        var client = new HttpClient(handler) { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public Uri Server => server;

    public string Key => key;

    /// <summary>Creates the session with <paramref name="regionTokens"/> masks inserted at <paramref name="at"/>; returns its id.</summary>
    public async Task<string> Create(string text, int at, int regionTokens)
    {
        using var created = await _http.PostAsJsonAsync("/v1/sessions", new { text, regions = new[] { new { start = at, end = at, maxTokens = regionTokens } } });
        await Ensure(created, HttpStatusCode.Created);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>One person's edit, as a client library sends it; the time is from sending to the whole answer read.</summary>
    public static async Task<EditAnswer> Edit(HttpClient http, string session, PersonEdit edit, CancellationToken cancellationToken)
    {
        var body = new
        {
            baseVersion = edit.BaseVersion,
            clientId = edit.ClientId,
            editId = edit.EditId,
            edits = edit.Ranges.Select(r => new { start = r.Start, end = r.End, text = r.Text }),
        };
        var clock = Stopwatch.StartNew();
        using var answer = await http.PostAsJsonAsync($"/v1/sessions/{session}/edits", body, cancellationToken);
        var content = await answer.Content.ReadAsStringAsync(cancellationToken);
        var ms = clock.Elapsed.TotalMilliseconds;
        if (answer.StatusCode == HttpStatusCode.OK) return new EditAnswer(200, null, null, null, ms);
        string? title = null;
        long? conflicting = null, current = null;
        try
        {
            using var problem = JsonDocument.Parse(content);
            var root = problem.RootElement;
            title = root.TryGetProperty("title", out var t) ? t.GetString() : null;
            if (root.TryGetProperty("currentVersion", out var c)) current = c.GetInt64();
            if (root.TryGetProperty("conflict", out var conflict)) conflicting = conflict.GetProperty("version").GetInt64();
        }
        catch (JsonException)
        {
            title = content.Length > 200 ? content[..200] : content;
        }
        return new EditAnswer((int)answer.StatusCode, title, conflicting, current, ms);
    }

    /// <summary>Masks <paramref name="tokens"/> new tokens at <paramref name="at"/> of version <paramref name="baseVersion"/>; the new version, or null on a 409 (try again later).</summary>
    public async Task<long?> Regenerate(string session, string clientId, long baseVersion, int at, int tokens)
    {
        using var answer = await _http.PostAsJsonAsync($"/v1/sessions/{session}/edits",
            new { baseVersion, clientId, regenerate = new[] { new { start = at, end = at, maxTokens = tokens } } });
        if (answer.StatusCode == HttpStatusCode.Conflict) return null;
        await Ensure(answer, HttpStatusCode.OK);
        return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();
    }

    /// <summary>The session's stream, followed past settling (as collaborative editors do).</summary>
    public static async Task<HttpResponseMessage> Events(HttpClient http, string session, CancellationToken cancellationToken)
    {
        var events = await http.GetAsync($"/v1/sessions/{session}/events?follow=true", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await Ensure(events, HttpStatusCode.OK);
        return events;
    }

    /// <summary>Stops denoising; returns the version, text and status the session then has (no change follows).</summary>
    public async Task<(long Version, string Text, string Status)> Cancel(string session)
    {
        using var answer = await _http.DeleteAsync($"/v1/sessions/{session}");
        await Ensure(answer, HttpStatusCode.OK);
        var root = await answer.Content.ReadFromJsonAsync<JsonElement>();
        return (root.GetProperty("version").GetInt64(), root.GetProperty("text").GetString()!, root.GetProperty("status").GetString()!);
    }

    public async Task Purge(string session)
    {
        using var answer = await _http.DeleteAsync($"/v1/sessions/{session}?purge=true");
        if (!answer.IsSuccessStatusCode && answer.StatusCode != HttpStatusCode.NotFound)
            await Ensure(answer, HttpStatusCode.NoContent);
    }

    private static async Task Ensure(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public void Dispose() => _http.Dispose();
}
