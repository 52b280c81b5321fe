using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class SessionWriterTests : IDisposable
{
    private readonly SessionParts _parts = new();

    public void Dispose() => _parts.Dispose();

    private static async Task<List<SessionEvent>> Read(IAsyncEnumerable<SessionEvent> events)
    {
        var all = new List<SessionEvent>();
        await foreach (var e in events) all.Add(e);
        return all;
    }

    [Fact]
    public async Task A_denoising_create_takes_the_slot_and_the_reminder_before_it_is_stored_then_starts_the_loop()
    {
        var snapshot = await _parts.Writer.Create(_parts.Canvas(masks: 2));

        Assert.Equal((1L, SessionStatus.Denoising, 2), (snapshot.Version, snapshot.Status, snapshot.Masked));
        Assert.Single(_parts.Acquired);
        Assert.NotNull(_parts.Reminders.Stored);
        Assert.Equal((true, 1L, SessionStatus.Denoising), (_parts.Store.State.Exists, _parts.Store.State.Version, _parts.Store.State.Status));
        Assert.Equal(1, _parts.LoopStarts);
        Assert.Equal([1L], _parts.Indexed);
    }

    [Fact]
    public async Task A_create_with_nothing_to_generate_settles_at_once_without_a_slot_or_reminder()
    {
        var snapshot = await _parts.Writer.Create(_parts.Canvas(masks: 0));

        Assert.Equal(SessionStatus.Idle, snapshot.Status);
        Assert.Empty(_parts.Acquired);
        Assert.Null(_parts.Reminders.Stored);
        Assert.Equal(0, _parts.LoopStarts);
        Assert.Single(_parts.Reported); // settling reports usage (the creation)
    }

    [Fact]
    public async Task A_change_that_cannot_be_stored_is_not_kept_and_gives_the_slot_back()
    {
        _parts.Store.Fail = new TimeoutException("storage down");

        await Assert.ThrowsAsync<StorageUnavailableException>(() => _parts.Writer.Create(_parts.Canvas(masks: 2)));

        Assert.False(_parts.Document.Exists);
        Assert.Single(_parts.Acquired);
        Assert.Single(_parts.Released);
        Assert.Equal(0, _parts.LoopStarts);
    }

    [Fact]
    public async Task An_edit_is_stored_published_and_recorded()
    {
        await _parts.Writer.Create(_parts.Canvas(masks: 0));
        // Subscribed now, read only after the change: the broadcaster is used from one turn at a time.
        var stream = _parts.Watchers.Events(null, untilSettled: false, CancellationToken.None);
        var edited = _parts.Canvas(masks: 0); // the same text: what matters is the path, not the content
        var change = new TextChange(2, "ann", [], "ann:1");

        var snapshot = await _parts.Writer.Edit(edited, [change]);
        _parts.Watchers.CompleteAll();

        Assert.Equal(2, snapshot.Version);
        Assert.Equal(2, _parts.Store.State.Version);
        Assert.Equal([1L, 2L], _parts.Indexed);
        var events = await Read(stream);
        Assert.Equal([SessionEventKind.Snapshot, SessionEventKind.Change], events.Select(e => e.Kind));
        Assert.Equal(change, events[1].Change);
    }

    [Fact]
    public async Task The_step_that_fills_the_last_mask_settles_the_session()
    {
        await _parts.Writer.Create(_parts.Canvas(masks: 1));
        var stream = _parts.Watchers.Events(1, untilSettled: true, CancellationToken.None); // read after the step
        var step = _parts.NextStep('x');

        await _parts.Writer.Commit(step.Window, step.Reply);

        Assert.Equal(("axb", SessionStatus.Idle), (_parts.Document.Snapshot!.Text, _parts.Document.Status));
        Assert.Equal(1, _parts.LoopStops);
        Assert.Equal((2L, SessionStatus.Idle), (_parts.Store.State.Version, _parts.Store.State.Status));
        Assert.Single(_parts.Released);
        Assert.Null(_parts.Reminders.Stored);
        Assert.Equal([1L, 2L], _parts.Indexed);
        Assert.Equal(ChangeAuthors.Model, Assert.Single(await Read(stream)).Change!.Author);
    }

    [Fact]
    public async Task A_step_that_is_not_the_last_checkpoints_when_due_and_keeps_denoising()
    {
        await _parts.Writer.Create(_parts.Canvas(masks: 2));
        var step = _parts.NextStep('x');

        await _parts.Writer.Commit(step.Window, step.Reply);

        Assert.Equal(SessionStatus.Denoising, _parts.Document.Status);
        Assert.Equal(0, _parts.LoopStops);
        Assert.Equal(2, _parts.Store.State.Version); // every step is due with these options
        Assert.Empty(_parts.Released);
        Assert.NotNull(_parts.Reminders.Stored);
    }

    [Fact]
    public async Task A_step_that_breaks_the_contract_fails_the_session()
    {
        await _parts.Writer.Create(_parts.Canvas(masks: 2));
        var step = _parts.NextStep('x');
        var broken = step.Reply with { Commits = [step.Reply.Commits[0] with { Position = 0 }] }; // "a" is not a mask

        await _parts.Writer.Commit(step.Window, broken);

        Assert.Equal(SessionStatus.Failed, _parts.Document.Status);
        Assert.NotNull(_parts.Document.Error);
        Assert.Equal(("ab", SessionStatus.Failed), (_parts.Document.Snapshot!.Text, _parts.Store.State.Status));
        Assert.Equal(1, _parts.LoopStops);
    }

    [Fact]
    public async Task Cancel_drops_the_masks_as_the_models_change()
    {
        await _parts.Writer.Create(_parts.Canvas(masks: 2));

        await _parts.Writer.StopDenoising(SessionStatus.Cancelled, error: null);

        Assert.Equal(("ab", 2L, SessionStatus.Cancelled), (_parts.Document.Snapshot!.Text, _parts.Document.Version, _parts.Document.Status));
        Assert.Equal(ChangeAuthors.Model, _parts.Document.Log.TrySince(1, out var changes) ? Assert.Single(changes).Author : null);
        Assert.Equal(SessionStatus.Cancelled, _parts.Store.State.Status);
        Assert.Single(_parts.Released);
    }

    [Fact]
    public async Task Suspending_stops_the_loop_discards_the_step_in_flight_and_is_stored_resuming_restarts_it()
    {
        await _parts.Writer.Create(_parts.Canvas(masks: 2));
        var generation = _parts.Document.Generation;

        await _parts.Writer.Suspend(true);
        Assert.True(_parts.Flags.Suspended && _parts.Store.State.Suspended);
        Assert.Equal(1, _parts.LoopStops);
        Assert.Equal(generation + 1, _parts.Document.Generation);

        var writes = _parts.Store.Writes;
        await _parts.Writer.Suspend(true); // idempotent: nothing written
        Assert.Equal(writes, _parts.Store.Writes);

        await _parts.Writer.Suspend(false);
        Assert.False(_parts.Store.State.Suspended);
        Assert.Equal(2, _parts.LoopStarts);
    }

    [Fact]
    public async Task Remove_clears_storage_the_reminder_the_slot_and_the_document()
    {
        await _parts.Writer.Create(_parts.Canvas(masks: 2));

        await _parts.Writer.Remove();

        Assert.False(_parts.Document.Exists);
        Assert.False(_parts.Store.RecordExists);
        Assert.Null(_parts.Reminders.Stored);
        Assert.Single(_parts.Released);
        Assert.Equal(1, _parts.LoopStops);
    }
}
