using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The session's document as clients see it: the canvas, its version, status and error, and the last rendered
/// snapshot (what <see cref="ISessionGrain.Get"/> and watchers read). Every change goes through here and is recorded in
/// <see cref="Log"/> as exact replaced ranges of the previous version's rendered text (rebase, delta events). Not
/// thread-safe: the grain changes it under its lock.
/// </summary>
internal sealed class SessionDocument(string session, TimeProvider? time = null, ChangeLogLimits? limits = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The recent changes, one per version since the log started (creation or activation).</summary>
    public ChangeLog Log { get; private set; } = new(0, time ?? TimeProvider.System, limits);

    public DocumentCanvas? Canvas { get; private set; }

    /// <summary>1 at creation, +1 for every edit, every step that commits, cancel and failure.</summary>
    public long Version { get; private set; }

    public SessionStatus Status { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Tokens the model has committed since the document was created (<see cref="SessionSnapshot.Generated"/>).</summary>
    public long Generated { get; private set; }

    /// <summary>The last rendered state; null while there is no session.</summary>
    public SessionSnapshot? Snapshot { get; private set; }

    /// <summary>
    /// Moves when a step in flight must not commit at all (a new document, suspension, purge). Edits do not move it: a
    /// step computed before them commits into the masks they left (<see cref="DocumentCanvas.Apply"/>).
    /// </summary>
    public long Generation { get; private set; }

    public bool Exists => Canvas is not null;

    public bool IsDenoising => Status == SessionStatus.Denoising;

    /// <summary>The state an activation found in storage (no change of its own, so the generation stays).</summary>
    public void Load(DocumentCanvas canvas, long version, SessionStatus status, string? error, long generated)
    {
        (Canvas, Version, Status, Error, Generated) = (canvas, version, status, error, generated);
        Log = new ChangeLog(version, _time, limits);
    }

    /// <summary>A new document (create): its change log starts at <paramref name="version"/>.</summary>
    public void Start(DocumentCanvas canvas, long version, SessionStatus status)
    {
        (Canvas, Version, Status, Error, Generated) = (canvas, version, status, null, 0);
        Log = new ChangeLog(version, _time, limits);
        Generation++;
        Render();
    }

    /// <summary>
    /// A change that replaces the document (edit, cancel, failure): <paramref name="changes"/> lead from the current
    /// version's text to <paramref name="canvas"/>'s, one per version.
    /// </summary>
    public void Replace(DocumentCanvas canvas, SessionStatus status, string? error, IReadOnlyList<TextChange> changes)
    {
        if (changes.Count == 0 || changes[0].Version != Version + 1)
            throw new ArgumentException($"A change after version {Version} must start at version {Version + 1}.", nameof(changes));
        foreach (var change in changes)
            Log.Append(change);
        (Canvas, Version, Status, Error) = (canvas, changes[^1].Version, status, error);
        Render();
    }

    /// <summary>
    /// The model's change: writes a step's commits (for a window built from this generation, perhaps before edits) into
    /// the canvas — the next version, idle once no mask is left — and returns the tokens committed and the change
    /// (author "model"); no change (null) when edits took away every mask the step filled. A step that breaks the
    /// stepper contract throws <see cref="InvalidOperationException"/> and leaves the document as it was.
    /// </summary>
    public (int Committed, TextChange? Change) CommitStep(StepWindow window, IReadOnlyList<StepCommit> commits)
    {
        var (committed, ranges) = Canvas!.ApplyStep(window, commits);
        if (committed == 0 && ranges.Count == 0) return (0, null);
        var change = new TextChange(Version + 1, ChangeAuthors.Model, ranges);
        Log.Append(change);
        Version++;
        Generated += committed;
        if (Canvas.Masked == 0) Status = SessionStatus.Idle;
        Render();
        return (committed, change);
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
        Snapshot = new SessionSnapshot(session, Version, Status, rendered.Text, Canvas.Masked, rendered.Regions, Error, Generated);
        return Snapshot;
    }
}
