using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using static SeedGrains.Grains.Tests.SessionWatching;

namespace SeedGrains.Grains.Tests;

/// <summary>
/// Requests naming things that do not exist — wrong API keys, unknown session ids — must hold no memory once answered:
/// their grain activations go right away, while known keys and existing sessions stay active.
/// </summary>
public sealed class JunkActivationTests
{
    private const int Junk = 40;

    [Fact]
    public async Task Lookups_of_unknown_api_keys_leave_no_activation_behind()
    {
        await using var cluster = await TestCluster.Start();
        var known = cluster.Grains.GetGrain<IApiKeyGrain>("known-key-hash");
        await known.Assign("t1");

        var answers = await Task.WhenAll(Enumerable.Range(0, Junk).Select(i => cluster.Grains.GetGrain<IApiKeyGrain>($"wrong-{i}").GetTenant()));

        Assert.All(answers, Assert.Null);
        await WaitForActivations(cluster, "ApiKeyGrain", ["known-key-hash"]);
        Assert.Equal("t1", await known.GetTenant());
        await WaitForActivations(cluster, "ApiKeyGrain", ["known-key-hash"]);

        // A key assigned after lookups found it unknown belongs to its tenant from then on.
        var later = cluster.Grains.GetGrain<IApiKeyGrain>("wrong-0");
        await later.Assign("t2");
        Assert.Equal("t2", await later.GetTenant());
        await later.Revoke("t2");
        Assert.Null(await later.GetTenant());
        await WaitForActivations(cluster, "ApiKeyGrain", ["known-key-hash"]);
    }

    [Fact]
    public async Task Calls_on_unknown_sessions_leave_no_activation_behind()
    {
        await using var cluster = await TestCluster.Start();
        var existing = cluster.Session("t1", "exists");
        await existing.Create(new CreateSessionRequest("abc", []));

        await Task.WhenAll(Enumerable.Range(0, Junk).Select(async i =>
        {
            var unknown = cluster.Session("t1", $"unknown-{i}");
            Task call = (i % 4) switch
            {
                0 => unknown.Get(),
                1 => unknown.Edit(new EditRequest(1, [], [])),
                2 => unknown.Cancel(),
                _ => unknown.Watch(untilSettled: true).GetAsyncEnumerator().MoveNextAsync().AsTask(),
            };
            await Assert.ThrowsAsync<SessionNotFoundException>(() => call);
        }));
        // A create that fails leaves nothing behind either.
        await Assert.ThrowsAsync<InvalidSessionRequestException>(() =>
            cluster.Session("t1", "bad-create").Create(new CreateSessionRequest("abc", [new TextRegion(2, 9)])));

        await WaitForActivations(cluster, "SessionGrain", [SessionKey.Of("t1", "exists")]);
        Assert.Equal("abc", (await existing.Get()).Text);

        // An id that was looked up while unknown can still be created, and then stays.
        var fresh = cluster.Session("t1", "unknown-0");
        await fresh.Create(new CreateSessionRequest("xyz", []));
        Assert.Equal("xyz", (await fresh.Get()).Text);
        await WaitForActivations(cluster, "SessionGrain", [SessionKey.Of("t1", "exists"), SessionKey.Of("t1", "unknown-0")]);
    }

    /// <summary>
    /// Waits until exactly the grains keyed <paramref name="keys"/> of the type named <paramref name="grainType"/> are
    /// active. Polls: deactivation completes asynchronously after the answer and gives no signal to wait on.
    /// </summary>
    private static async Task WaitForActivations(TestCluster cluster, string grainType, string[] keys)
    {
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        var expected = keys.Order(StringComparer.Ordinal).ToArray();
        string[] active = [];
        try
        {
            await Eventually(async () =>
            {
                var stats = await management.GetDetailedGrainStatistics();
                active = stats.Where(s => s.GrainType.Contains(grainType, StringComparison.Ordinal))
                    .Select(s => s.GrainId.Key.ToString()!)
                    .Order(StringComparer.Ordinal)
                    .ToArray();
                return active.SequenceEqual(expected);
            }, $"only {string.Join(", ", expected)} active", seconds: 120);
        }
        catch (TimeoutException)
        {
            Assert.Equal(expected, active); // names what is still active
        }
    }
}
