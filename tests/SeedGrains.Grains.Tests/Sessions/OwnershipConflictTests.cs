using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

/// <summary>An activation whose checkpoint meets an ETag conflict has lost the session to another: it must stop.</summary>
public sealed class OwnershipConflictTests
{
    [Fact]
    public async Task A_checkpoint_that_meets_an_ETag_conflict_stops_denoising_and_lets_the_activation_go()
    {
        var storage = new ConflictingSessionStorage(writesAllowed: 1); // the create; its first checkpoint conflicts
        await using var cluster = await TestCluster.Start(sessions: o =>
        {
            o.CheckpointEverySteps = 2;
            o.CheckpointIntervalSeconds = 0;
        }, sessionStorage: storage);
        var session = cluster.Session("t1", "conflict");
        cluster.Stepper.Gate.Reset(); // no step before the watcher is subscribed
        await session.Create(new CreateSessionRequest("x = ", [new TextRegion(4, 4, MaxTokens: 10)]));

        // The stream ends when the activation goes (its watchers are completed); a later read may meet the failed
        // reactivation (its own first write conflicts too), which also ends it.
        var updates = new List<SessionUpdate>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await foreach (var update in session.Watch(untilSettled: true, timeout.Token).WithCancellation(timeout.Token))
            {
                updates.Add(update);
                if (updates.Count == 1) cluster.Stepper.Gate.Set();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
        }

        Assert.NotEmpty(updates);
        Assert.All(updates, u => Assert.Equal(SessionStatus.Denoising, u.Snapshot.Status)); // it never went on to settle
        Assert.True(updates[^1].Snapshot.Version <= 3, $"denoising went on to version {updates[^1].Snapshot.Version} after the conflict at version 3");
        Assert.Equal(2, cluster.Stepper.Calls); // the conflict was met at the second step; no step came after it
    }
}
