using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace SeedGrains.Silo.Tests;

/// <summary>A host that accepts ~100 KB documents (the delta-size measurement).</summary>
public sealed class LargeTextSiloHost : IAsyncLifetime
{
    public SiloHost Host { get; } = new(["--Limits:MaxTextChars=200000"]);

    public Task InitializeAsync() => Host.InitializeAsync();

    public Task DisposeAsync() => Host.DisposeAsync();
}

/// <summary>Issue #14 over HTTP: delta events and their size, Last-Event-ID, presence.</summary>
public sealed class CollaborationHttpTests(LargeTextSiloHost fixture, ITestOutputHelper output) : IClassFixture<LargeTextSiloHost>
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task Step_events_on_a_100_KB_document_carry_only_the_change_and_stay_under_1_KB()
    {
        var line = "    let value_{0:D5} = compute(input, {0}); // keeps the document long\n";
        var text = new StringBuilder();
        for (var i = 0; text.Length < 100_000; i++) text.AppendFormat(System.Globalization.CultureInfo.InvariantCulture, line, i);
        var middle = text.Length / 2;
        fixture.Host.Stepper.Gate.Reset();
        using var created = await Client.PostAsJsonAsync("/v1/sessions", new { text = text.ToString(), regions = new[] { new { start = middle, end = middle, maxTokens = 12 } } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = Json(await created.Content.ReadAsStringAsync()).GetProperty("id").GetString()!;

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var response = await Client.GetAsync($"/v1/sessions/{id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        fixture.Host.Stepper.Gate.Set();
        var events = await Sse.ReadAll(response, timeout.Token);

        Assert.Equal("snapshot", events[0].Event);
        var changes = events.Skip(1).ToList();
        Assert.Equal(12, changes.Count);
        Assert.All(changes, e => Assert.Equal("change", e.Event));
        var sizes = changes.Select(Sse.FrameBytes).ToList();
        output.WriteLine($"snapshot {Sse.FrameBytes(events[0])} B; step events: max {sizes.Max()} B, mean {sizes.Average():0} B over {sizes.Count}");
        Assert.All(sizes, size => Assert.True(size <= 1024, $"a step event took {size} bytes"));
        var rebuilt = changes.Aggregate(Json(events[0].Data).GetProperty("text").GetString()!, (t, e) => Sse.ApplyOps(t, Json(e.Data)));
        Assert.Equal(Json(await Client.GetStringAsync($"/v1/sessions/{id}")).GetProperty("text").GetString(), rebuilt);
    }

    [Fact]
    public async Task Last_event_id_resumes_with_the_changes_since_or_a_snapshot_when_they_are_gone()
    {
        using var created = await Client.PostAsJsonAsync("/v1/sessions", new { text = "abc", regions = new[] { new { start = 1, end = 2, maxTokens = 3 } } });
        var id = Json(await created.Content.ReadAsStringAsync()).GetProperty("id").GetString()!;
        var idle = await Sse.SettledSession(Client, id);
        var version = idle.GetProperty("version").GetInt64(); // 4: three steps

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{id}/events");
        request.Headers.Add("Last-Event-ID", (version - 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var resumed = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var replayed = await Sse.ReadAll(resumed, CancellationToken.None);
        Assert.Equal(new[] { ("change", $"{version - 1}"), ("change", $"{version}") }, replayed.Select(e => (e.Event!, e.Id!)));
        Assert.Equal("idle", Json(replayed[^1].Data).GetProperty("status").GetString());

        using var before = await Client.GetAsync($"/v1/sessions/{id}/events?lastEventId=0", HttpCompletionOption.ResponseHeadersRead);
        var fresh = await Sse.ReadAll(before, CancellationToken.None);
        Assert.Equal("snapshot", Assert.Single(fresh).Event); // version 0 was never in the log

        using var bad = await Client.GetAsync($"/v1/sessions/{id}/events?lastEventId=x");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Presence_is_broadcast_to_watchers_rebased_to_the_current_version()
    {
        using var created = await Client.PostAsJsonAsync("/v1/sessions", new { text = "hello world" });
        var id = Json(await created.Content.ReadAsStringAsync()).GetProperty("id").GetString()!;
        using var edit = await Client.PostAsJsonAsync($"/v1/sessions/{id}/edits", new { baseVersion = 1, clientId = "ann", editId = "ann:1", edits = new[] { new { start = 0, end = 0, text = ">> " } } });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stream = await Client.GetAsync($"/v1/sessions/{id}/events?follow=true", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);
        Assert.Equal("snapshot", Assert.Single(await Sse.Read(reader, 1, timeout.Token)).Event);

        // Sent against version 1: "world" is at 6..11 there, at 9..14 now.
        using var presence = await Client.PostAsJsonAsync($"/v1/sessions/{id}/presence",
            new { clientId = "bob", displayName = "Bob", baseVersion = 1, cursor = 11, selection = new { start = 6, end = 11 } });
        Assert.Equal(HttpStatusCode.NoContent, presence.StatusCode);
        var seen = Json(Assert.Single(await Sse.Read(reader, 1, timeout.Token), e => e.Event == "presence").Data);
        Assert.Equal(("bob", "Bob", 2L, 14), (seen.GetProperty("clientId").GetString(), seen.GetProperty("displayName").GetString(), seen.GetProperty("version").GetInt64(), seen.GetProperty("cursor").GetInt32()));
        Assert.Equal((9, 14), (seen.GetProperty("selection").GetProperty("start").GetInt32(), seen.GetProperty("selection").GetProperty("end").GetInt32()));

        // The edit's change event names its author and editId.
        using var mine = await Client.PostAsJsonAsync($"/v1/sessions/{id}/edits", new { baseVersion = 2, clientId = "bob", editId = "bob:1", edits = new[] { new { start = 14, end = 14, text = "!" } } });
        var change = Json(Assert.Single(await Sse.Read(reader, 1, timeout.Token)).Data);
        Assert.Equal(("bob", "bob:1", 3L), (change.GetProperty("author").GetString(), change.GetProperty("editId").GetString(), change.GetProperty("version").GetInt64()));

        using var missing = await Client.PostAsJsonAsync($"/v1/sessions/{id}/presence", new { displayName = "x", baseVersion = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
