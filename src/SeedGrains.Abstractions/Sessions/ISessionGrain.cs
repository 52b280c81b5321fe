using Orleans.Concurrency;

namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// One editing session (key `tenant/session`): owns the document, masks regions, drives denoising through a model
/// worker and streams updates. Errors: <see cref="Errors.InvalidSessionRequestException"/> (bad ranges/sizes),
/// <see cref="Errors.SessionNotFoundException"/>, <see cref="Errors.EditConflictException"/>,
/// <see cref="Errors.BaseVersionTooOldException"/>, <see cref="Errors.QuotaExceededException"/>.
/// </summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Starts the document (version 1). A key that already holds a document is rejected.</summary>
    Task<SessionSnapshot> Create(CreateSessionRequest request);

    /// <summary>The current document; throws <see cref="Errors.SessionNotFoundException"/> when there is none.</summary>
    [AlwaysInterleave, ReadOnly]
    Task<SessionSnapshot> Get();

    /// <summary>
    /// Rebases the request from <see cref="EditRequest.BaseVersion"/> (any version still in the change log) onto the
    /// current version, applies it (also inside regions still being generated) and returns the new state.
    /// </summary>
    Task<SessionSnapshot> Edit(EditRequest request);

    /// <summary>Stops denoising; still-masked positions are dropped and the status becomes cancelled.</summary>
    Task<SessionSnapshot> Cancel();

    /// <summary>Stops (true) or restarts (false) denoising while the tenant is suspended; survives reactivation. Idempotent.</summary>
    Task SetSuspended(bool suspended);

    /// <summary>
    /// Removes the session for good: stops denoising (its tenant slot is returned), deletes its stored state, drops its
    /// resume reminder and its entry in the tenant's session index, ends its watchers and deactivates. Throws
    /// <see cref="Errors.SessionNotFoundException"/> when there is no session (its index entry is removed anyway).
    /// </summary>
    Task Purge();

    /// <summary>
    /// The current snapshot first, then one update per change. With <paramref name="untilSettled"/> the stream ends
    /// once the session is idle, cancelled or failed (immediately after the snapshot if it already is).
    /// </summary>
    IAsyncEnumerable<SessionUpdate> Watch(bool untilSettled, CancellationToken cancellationToken = default);

    /// <summary>
    /// The delta stream: a snapshot first — or, when <paramref name="lastEventId"/> is a version still in the change
    /// log, the changes since it — then one change event per version and presence events. A watcher too slow for the
    /// stream gets a fresh snapshot instead of the events it could not take (never a silent gap).
    /// </summary>
    IAsyncEnumerable<SessionEvent> Events(long? lastEventId, bool untilSettled, CancellationToken cancellationToken = default);

    /// <summary>Records a client's cursor and selection (rebased to the current version) and broadcasts it; never persisted.</summary>
    Task SetPresence(PresenceUpdate update);
}
