using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace SeedGrains.Silo.Tests;

/// <summary>GET /v1/sessions (from the tenant's index, paged by cursor) and DELETE /v1/sessions/{id}?purge=true, over real HTTP.</summary>
public sealed class SessionListTests : IAsyncLifetime
{
    // A host of its own: the listing assertions count every session the dev tenant has.
    private readonly SiloHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private HttpClient Client => _host.Client;

    private async Task<string> CreateIdle(string text)
    {
        using var response = await Client.PostAsJsonAsync("/v1/sessions", new { text });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> List(string query)
    {
        using var response = await Client.GetAsync("/v1/sessions" + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Session activations across the silo (the index grain is not one of them).</summary>
    private async Task<int> SessionActivations()
    {
        var management = _host.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var stats = await management.GetSimpleGrainStatistics();
        return stats.Where(s => s.GrainType.EndsWith(".SessionGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }

    [Fact]
    public async Task Fifty_sessions_are_listed_newest_first_in_pages_without_activating_any_session()
    {
        var created = new List<string>();
        for (var i = 0; i < 50; i++) created.Add(await CreateIdle($"document {i}"));
        // Let every session activation go, and wait until the silo has none (collection has no completion signal).
        var management = _host.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await SessionActivations() > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "session activations were not collected within 30 s");
            await management.ForceActivationCollection(TimeSpan.Zero);
        }

        var listed = new List<JsonElement>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await List("?limit=20" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            listed.AddRange(page.GetProperty("data").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(0, await SessionActivations());
        Assert.Equal(3, pages);
        // Created within the same wall-clock tick they tie on time and fall back to id order, so compare as sets plus
        // the newest-first rule on the timestamps.
        Assert.Equal(created.Order(), listed.Select(e => e.GetProperty("id").GetString()!).Order());
        var times = listed.Select(e => e.GetProperty("created").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        var first = listed.Single(e => e.GetProperty("id").GetString() == created[7]);
        Assert.Equal("idle", first.GetProperty("status").GetString());
        Assert.Equal(1, first.GetProperty("version").GetInt64());
        Assert.Equal("document 7".Length, first.GetProperty("size").GetInt32());
        Assert.True(first.TryGetProperty("updated", out _));
    }

    [Fact]
    public async Task The_default_page_is_twenty_and_status_filters()
    {
        for (var i = 0; i < 22; i++) await CreateIdle($"d{i}");

        var page = await List("");
        Assert.Equal(20, page.GetProperty("data").GetArrayLength());
        Assert.NotNull(page.GetProperty("nextCursor").GetString());
        Assert.Equal(0, (await List("?status=denoising")).GetProperty("data").GetArrayLength());
        Assert.Equal(22, (await List("?status=idle&limit=100")).GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=101")]
    [InlineData("?limit=ten")]
    [InlineData("?limit=-1")]
    [InlineData("?limit=1&limit=2")]
    [InlineData("?status=sleeping")]
    [InlineData("?cursor=")]
    [InlineData("?cursor=garbage!")]
    [InlineData("?cursor=bm9jb2xvbg")]
    public async Task Bad_list_parameters_are_400(string query)
    {
        using var response = await Client.GetAsync("/v1/sessions" + query);
        await ProblemAssert.Is(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Listing_without_a_key_is_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sessions");
        request.Headers.Authorization = null;
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };
        using var response = await anonymous.SendAsync(request);
        await ProblemAssert.Is(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Delete_cancels_and_keeps_the_session_while_purge_removes_it_for_good()
    {
        var kept = await CreateIdle("kept");
        var purged = await CreateIdle("purged");

        using (var cancel = await Client.DeleteAsync($"/v1/sessions/{kept}"))
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        using (var purge = await Client.DeleteAsync($"/v1/sessions/{purged}?purge=true"))
            Assert.Equal(HttpStatusCode.NoContent, purge.StatusCode);

        using (var get = await Client.GetAsync($"/v1/sessions/{kept}"))
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        using (var get = await Client.GetAsync($"/v1/sessions/{purged}"))
            await ProblemAssert.Is(get, HttpStatusCode.NotFound);
        using (var again = await Client.DeleteAsync($"/v1/sessions/{purged}?purge=true"))
            await ProblemAssert.Is(again, HttpStatusCode.NotFound);
        using (var bad = await Client.DeleteAsync($"/v1/sessions/{kept}?purge=yes"))
            await ProblemAssert.Is(bad, HttpStatusCode.BadRequest);
        var ids = (await List("?limit=100")).GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Contains(kept, ids);
        Assert.DoesNotContain(purged, ids);
    }

    [Fact]
    public async Task Purging_a_denoising_session_stops_it_and_its_stream_ends()
    {
        _host.Stepper.Gate.Reset();
        using var create = await Client.PostAsJsonAsync("/v1/sessions", new { text = "abc", regions = new[] { new { start = 1, end = 2, maxTokens = 8 } } });
        var id = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var events = await Client.GetAsync($"/v1/sessions/{id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);

        using (var purge = await Client.DeleteAsync($"/v1/sessions/{id}?purge=true"))
            Assert.Equal(HttpStatusCode.NoContent, purge.StatusCode);
        _host.Stepper.Gate.Set();

        var stream = await Sse.ReadAll(events, timeout.Token); // ends: the purge completed its watchers
        Assert.Equal("snapshot", stream[0].Event);
        using var get = await Client.GetAsync($"/v1/sessions/{id}");
        await ProblemAssert.Is(get, HttpStatusCode.NotFound);
    }
}
