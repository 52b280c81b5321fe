using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The session's document as clients see it: the canvas, its version, status and error, and the last rendered
/// snapshot (what <see cref="ISessionGrain.Get"/> and watchers read). Every change goes through here, so this is the
/// seam where a change log (rebase, delta events) attaches. Not thread-safe: the grain changes it under its lock.
/// </summary>
internal sealed class SessionDocument(string session)
{
    public DocumentCanvas? Canvas { get; private set; }

    /// <summary>1 at creation, +1 for every edit, every step that commits, cancel and failure.</summary>
    public long Version { get; private set; }

    public SessionStatus Status { get; private set; }

    public string? Error { get; private set; }

    /// <summary>The last rendered state; null while there is no session.</summary>
    public SessionSnapshot? Snapshot { get; private set; }

    /// <summary>Moves with every change: a step computed against an older generation has positions that mean nothing now.</summary>
    public long Generation { get; private set; }

    public bool Exists => Canvas is not null;

    public bool IsDenoising => Status == SessionStatus.Denoising;

    /// <summary>The state an activation found in storage (no change of its own, so the generation stays).</summary>
    public void Load(DocumentCanvas canvas, long version, SessionStatus status, string? error)
    {
        (Canvas, Version, Status, Error) = (canvas, version, status, error);
    }

    /// <summary>A change that replaces the document (create, edit, cancel, failure).</summary>
    public void Replace(DocumentCanvas canvas, long version, SessionStatus status, string? error)
    {
        (Canvas, Version, Status, Error) = (canvas, version, status, error);
        Generation++;
    }

    /// <summary>
    /// The model's change: writes a step's commits (for a window built from this generation) into the canvas — the next
    /// version, idle once no mask is left — and returns the tokens committed. A step that breaks the stepper contract
    /// throws <see cref="InvalidOperationException"/> and leaves the document as it was.
    /// </summary>
    public int CommitStep(StepWindow window, IReadOnlyList<StepCommit> commits)
    {
        var committed = Canvas!.Apply(window, commits);
        Canvas.FinalizeCompletedRegions();
        Version++;
        Generation++;
        if (Canvas.Masked == 0) Status = SessionStatus.Idle;
        return committed;
    }

    /// <summary>Nothing in the text changed, but a step in flight must not commit (suspension).</summary>
    public void DiscardStepsInFlight() => Generation++;

    /// <summary>Purging: no step commits and nothing denoises any more, while the purge still runs.</summary>
    public void Purging()
    {
        Status = SessionStatus.None;
        Generation++;
    }

    /// <summary>The session is gone.</summary>
    public void Clear()
    {
        Canvas = null;
        Snapshot = null;
    }

    public SessionSnapshot Render()
    {
        var rendered = Canvas!.Render();
        Snapshot = new SessionSnapshot(session, Version, Status, rendered.Text, Canvas.Masked, rendered.Regions, Error);
        return Snapshot;
    }
}
