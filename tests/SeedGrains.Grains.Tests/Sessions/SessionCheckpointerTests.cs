using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class SessionCheckpointerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeSessionStateStore _store = new();
    private int _ownershipLost;

    private SessionCheckpointer Checkpointer(int everySteps = 0, double intervalSeconds = 0) =>
        new(_store, new SessionOptions { CheckpointEverySteps = everySteps, CheckpointIntervalSeconds = intervalSeconds },
            _time, NullLogger.Instance, "t/s", "s", () => _ownershipLost++);

    private static SessionState At(long version) => new() { Exists = true, Version = version };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_ETag_conflict_always_stops_this_activation_best_effort_or_not(bool bestEffort)
    {
        var checkpointer = Checkpointer();
        await checkpointer.Write(At(1));
        _store.Fail = new InconsistentStateException("another activation wrote it", "old", "new");

        await Assert.ThrowsAsync<InconsistentStateException>(() => checkpointer.Write(At(2), bestEffort));

        Assert.True(checkpointer.OwnershipLost);
        Assert.Equal(1, _ownershipLost);
        Assert.Equal(1, _store.State.Version); // what this activation read stays: it is not written over
    }

    [Fact]
    public async Task A_best_effort_write_that_fails_keeps_the_state_in_memory_and_waits_a_full_interval()
    {
        var checkpointer = Checkpointer(everySteps: 2);
        checkpointer.StepTaken();
        checkpointer.StepTaken();
        Assert.True(checkpointer.CheckpointDue);
        _store.Fail = new IOException("storage down");

        Assert.False(await checkpointer.Write(At(3), bestEffort: true));

        Assert.False(checkpointer.OwnershipLost);
        Assert.Equal(0, _ownershipLost);
        Assert.False(checkpointer.CheckpointDue); // no write attempt per step while storage is down
    }

    [Fact]
    public async Task An_acknowledged_write_that_fails_is_a_503_and_changes_nothing()
    {
        var checkpointer = Checkpointer();
        await checkpointer.Write(At(1));
        _store.Fail = new IOException("storage down");

        await Assert.ThrowsAsync<StorageUnavailableException>(() => checkpointer.Write(At(2)));

        Assert.Equal(1, _store.State.Version);
        Assert.Equal(1, _store.Writes);
    }

    [Fact]
    public async Task A_checkpoint_is_due_after_its_steps_or_its_interval()
    {
        var bySteps = Checkpointer(everySteps: 3);
        bySteps.StepTaken();
        bySteps.StepTaken();
        Assert.False(bySteps.CheckpointDue);
        bySteps.StepTaken();
        Assert.True(bySteps.CheckpointDue);
        await bySteps.Write(At(4), bestEffort: true);
        Assert.False(bySteps.CheckpointDue);

        var byTime = Checkpointer(intervalSeconds: 10);
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(byTime.CheckpointDue);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(byTime.CheckpointDue);
    }

    [Fact]
    public async Task A_settled_state_that_could_not_be_written_is_remembered_until_a_later_write()
    {
        var checkpointer = Checkpointer();
        _store.Fail = new IOException("storage down");
        Assert.False(await checkpointer.WriteSettled(At(5)));
        Assert.True(checkpointer.SettledUnsaved);

        _store.Fail = null;
        Assert.True(await checkpointer.WriteSettled(At(5)));
        Assert.False(checkpointer.SettledUnsaved);
    }
}
