using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class SessionHandoverTests : IDisposable
{
    private readonly SessionParts _before = new();
    private readonly SessionParts _after = new();

    public void Dispose()
    {
        _before.Dispose();
        _after.Dispose();
    }

    /// <summary>What an earlier activation stored: a session created with <paramref name="masks"/> masks and <paramref name="steps"/> steps taken.</summary>
    private async Task<SessionState> Stored(int masks, int steps = 0)
    {
        _before.Flags.Priority = SessionPriority.Bulk;
        await _before.Writer.Create(_before.Canvas(masks));
        for (var i = 0; i < steps; i++)
        {
            var step = _before.NextStep((char)('x' + i));
            await _before.Writer.Commit(step.Window, step.Reply);
        }
        return _before.Store.State;
    }

    [Fact]
    public async Task A_settled_state_is_loaded_as_it_was_without_a_write_or_a_slot()
    {
        var saved = await Stored(masks: 1, steps: 1);

        Assert.False(await _after.Handover.Resume(saved, "silo"));

        Assert.Equal(("axb", saved.Version, SessionStatus.Idle), (_after.Document.Snapshot!.Text, _after.Document.Version, _after.Document.Status));
        Assert.Equal(SessionPriority.Bulk, _after.Flags.Priority);
        Assert.Equal(0, _after.Store.Writes);
        Assert.Empty(_after.Acquired);
    }

    [Fact]
    public async Task A_denoising_state_resumes_past_every_version_the_lost_steps_may_have_shown()
    {
        var saved = await Stored(masks: 3, steps: 1); // version 2, two masks left

        Assert.True(await _after.Handover.Resume(saved, "silo"));

        Assert.Equal((2L + 2 + 1, SessionStatus.Denoising), (_after.Document.Version, _after.Document.Status));
        Assert.Equal(_after.Document.Version, _after.Store.State.Version); // the jump is stored at once
        Assert.Single(_after.Acquired);
    }

    [Fact]
    public async Task A_session_resumes_even_over_its_tenants_quota()
    {
        var saved = await Stored(masks: 2);
        _after.QuotaFull = true;

        Assert.True(await _after.Handover.Resume(saved, "silo"));
        Assert.Empty(_after.Acquired);
    }

    [Fact]
    public async Task Leaving_while_denoising_saves_the_steps_since_the_last_checkpoint_then_reports_usage()
    {
        using var parts = new SessionParts(new SessionOptions { CheckpointEverySteps = 100, CheckpointIntervalSeconds = 3600 });
        await parts.Writer.Create(parts.Canvas(masks: 3));
        var step = parts.NextStep('x');
        await parts.Writer.Commit(step.Window, step.Reply);
        Assert.Equal(1, parts.Store.State.Version); // not due yet

        await parts.Handover.Leave(duplicateActivation: false, CancellationToken.None);

        Assert.Equal(2, parts.Store.State.Version);
        Assert.Single(parts.Reported);
    }

    [Fact]
    public async Task A_duplicate_activation_saves_nothing_and_a_leave_out_of_time_reports_nothing()
    {
        using var parts = new SessionParts(new SessionOptions { CheckpointEverySteps = 100, CheckpointIntervalSeconds = 3600 });
        await parts.Writer.Create(parts.Canvas(masks: 3));
        var step = parts.NextStep('x');
        await parts.Writer.Commit(step.Window, step.Reply);

        await parts.Handover.Leave(duplicateActivation: true, CancellationToken.None);
        Assert.Equal(1, parts.Store.State.Version);
        Assert.Single(parts.Reported);

        await parts.Lock.Semaphore.WaitAsync(); // a step holds the lock past the deactivation's time
        await parts.Handover.Leave(duplicateActivation: false, new CancellationToken(canceled: true));
        Assert.Equal(1, parts.Store.State.Version);
        Assert.Single(parts.Reported);
    }

    [Fact]
    public async Task The_reminder_keeps_a_denoising_session_going_and_drops_itself_once_it_settled()
    {
        await _before.Writer.Create(_before.Canvas(masks: 1));
        Assert.Equal(ReminderOutcome.Denoise, await _before.Handover.OnReminder());
        Assert.NotNull(_before.Reminders.Stored);

        var step = _before.NextStep('x');
        _before.Store.Fail = new TimeoutException("storage down"); // the settled state cannot be written
        await _before.Writer.Commit(step.Window, step.Reply);
        Assert.Equal(ReminderOutcome.Retry, await _before.Handover.OnReminder());
        Assert.NotNull(_before.Reminders.Stored);

        _before.Store.Fail = null;
        Assert.Equal(ReminderOutcome.Dropped, await _before.Handover.OnReminder());
        Assert.Null(_before.Reminders.Stored);
        Assert.Equal(SessionStatus.Idle, _before.Store.State.Status);
    }

    [Fact]
    public async Task A_reminder_without_a_session_drops_itself_and_lets_the_activation_go()
    {
        await _after.Reminders.Register(); // left by a create that was never written

        Assert.Equal(ReminderOutcome.Leave, await _after.Handover.OnReminder());
        Assert.Null(_after.Reminders.Stored);
    }
}
