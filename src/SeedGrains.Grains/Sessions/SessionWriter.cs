using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The write path of a session's document: a client's change (create, edit) is stored before the document takes it; a
/// model step is committed, then the session settles or checkpoints; cancel and failure drop the masks; suspension
/// stops the loop; a purge removes it all. Every change is published to the watchers. The caller holds the
/// <see cref="DocumentLock"/>.
/// </summary>
/// <param name="codec">The state codec (built on first use: only a session with a document needs the tokenizer).</param>
/// <param name="startLoop">Starts the denoising loop unless the session is suspended or no longer this activation's.</param>
/// <param name="stopLoop">Stops the denoising loop.</param>
/// <param name="recordInIndex">Records the current snapshot in the tenant's session list (a no-op for transient sessions).</param>
internal sealed class SessionWriter(
    SessionDocument document,
    SessionCheckpointer checkpointer,
    TenantSlot slot,
    SessionResumeReminder reminder,
    SessionBroadcaster watchers,
    SessionUsageReporter usage,
    SessionSettler settler,
    SessionFlags flags,
    Func<SessionStateCodec> codec,
    Action startLoop,
    Action stopLoop,
    Func<Task> recordInIndex,
    ILogger logger,
    string key)
{
    /// <summary>A new document (version 1), stored before it is acknowledged; it denoises or settles at once.</summary>
    public async Task<SessionSnapshot> Create(DocumentCanvas canvas)
    {
        await StoreChange(canvas, 1, changes: null);
        if (!flags.Transient) usage.Meter.Created();
        var snapshot = Publish(SessionUpdateKind.Edit, []);
        if (document.IsDenoising) startLoop();
        else await settler.Settle(document.Canvas, flags.Transient);
        await recordInIndex();
        return snapshot;
    }

    /// <summary>A person's edit, already rebased and applied to <paramref name="edited"/>: stored, then published.</summary>
    public async Task<SessionSnapshot> Edit(DocumentCanvas edited, IReadOnlyList<TextChange> changes)
    {
        await StoreChange(edited, changes[^1].Version, changes);
        var snapshot = Publish(SessionUpdateKind.Edit, changes);
        if (document.IsDenoising) startLoop();
        await recordInIndex();
        return snapshot;
    }

    /// <summary>
    /// The slot and the reminder come first, so a stored "denoising" is always resumable; when any of it fails, nothing
    /// of the change is kept.
    /// </summary>
    private async Task StoreChange(DocumentCanvas canvas, long version, IReadOnlyList<TextChange>? changes)
    {
        var status = canvas.Masked > 0 ? SessionStatus.Denoising : SessionStatus.Idle;
        var acquired = await slot.AcquireIf(status == SessionStatus.Denoising);
        try
        {
            if (status == SessionStatus.Denoising) await reminder.Ensure();
            // A new document (no changes) starts its count again; an edit keeps the document's.
            await checkpointer.Write(Capture(canvas, version, status, error: null, changes is null ? 0 : document.Generated));
        }
        catch
        {
            if (acquired) await slot.Release();
            throw;
        }
        if (changes is null) document.Start(canvas, version, status);
        else document.Replace(canvas, status, error: null, changes);
    }

    /// <summary>Writes a step's commits into the document, then settles or checkpoints.</summary>
    public async Task Commit(StepWindow window, StepReply reply)
    {
        int committed;
        TextChange? change;
        try
        {
            (committed, change) = document.CommitStep(window, reply.Commits);
        }
        catch (InvalidOperationException ex)
        {
            logger.LogError(ex, "Model broke the step contract for session {Key}", key);
            await StopDenoising(SessionStatus.Failed, ex.Message);
            return;
        }
        if (change is null) return; // edits made while the step ran took every mask it filled
        slot.Committed(committed);
        usage.Meter.Committed(committed);
        Publish(SessionUpdateKind.Step, [change]);
        checkpointer.StepTaken();
        if (!document.IsDenoising)
        {
            stopLoop();
            await WriteSettled();
            await settler.Settle(document.Canvas, flags.Transient);
            await recordInIndex();
        }
        else if (checkpointer.CheckpointDue)
        {
            // Progress is recomputable, so a failed checkpoint only costs work after a crash; keep denoising.
            await checkpointer.Write(Capture(), bestEffort: true);
            await usage.Report();
        }
    }

    /// <summary>Cancel or fail: drop the masks, keep what was committed, record and announce it.</summary>
    public async Task StopDenoising(SessionStatus status, string? error)
    {
        var stopped = document.Canvas!.WithoutMasks();
        // The model's regions stop: the dropped masks are the model's change, which no person's edit conflicts with.
        var change = new TextChange(document.Version + 1, ChangeAuthors.Model, stopped.Ranges);
        await checkpointer.WriteSettled(Capture(stopped.Canvas, change.Version, status, error, document.Generated), bestEffort: status == SessionStatus.Failed);
        document.Replace(stopped.Canvas, status, error, [change]);
        stopLoop();
        Publish(SessionUpdateKind.Status, [change]);
        await settler.Settle(document.Canvas, flags.Transient);
        await recordInIndex();
    }

    /// <summary>
    /// Stops the loop (a step under way commits nothing) or restarts it. Stored, so an activation of a suspended
    /// session (e.g. after its silo died) does not step either.
    /// </summary>
    public async Task Suspend(bool suspended)
    {
        if (flags.Suspended == suspended) return;
        flags.Suspended = suspended;
        if (suspended)
        {
            stopLoop();
            document.DiscardStepsInFlight(); // a suspended document does not move
        }
        if (document.Exists) await checkpointer.Write(Capture());
        if (!suspended && document.IsDenoising) startLoop();
    }

    /// <summary>Purge: denoising stops, the slot goes back, the stored state and the reminder go, watchers are told, the document is gone.</summary>
    public async Task Remove()
    {
        stopLoop();
        document.Purging(); // a step in flight commits nothing now
        await slot.Release();
        await checkpointer.Clear();
        reminder.MayHold = true; // look it up: an earlier activation may have registered it
        await reminder.Drop();
        watchers.CompleteAll();
        document.Clear();
    }

    public Task<bool> WriteSettled() => checkpointer.WriteSettled(Capture());

    /// <summary>The document as it is now, as stored.</summary>
    public SessionState Capture() => Capture(document.Canvas!, document.Version, document.Status, document.Error, document.Generated);

    public SessionState Capture(DocumentCanvas canvas, long version, SessionStatus status, string? error, long generated) =>
        codec().Capture(canvas, version, status, error, generated, flags.Priority, flags.Transient, flags.Suspended);

    /// <summary>Tells the watchers and returns the snapshot they were told of.</summary>
    public SessionSnapshot Publish(SessionUpdateKind kind, IReadOnlyList<TextChange> changes)
    {
        watchers.Published(kind, changes);
        return document.Snapshot!;
    }
}
