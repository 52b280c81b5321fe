using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// One event of a session's delta stream (<see cref="ISessionGrain.Events"/>): a <see cref="Snapshot"/>, a version's
/// <see cref="Change"/> (with the <see cref="Progress"/> after it; replayed changes carry it only on the newest), or a
/// client's <see cref="Presence"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SessionEvent(
    [property: Id(0)] SessionEventKind Kind,
    [property: Id(1)] long Version,
    [property: Id(2)] SessionSnapshot? Snapshot = null,
    [property: Id(3)] TextChange? Change = null,
    [property: Id(4)] SessionProgress? Progress = null,
    [property: Id(5)] PresenceView? Presence = null)
{
    public static SessionEvent OfSnapshot(SessionSnapshot snapshot) => new(SessionEventKind.Snapshot, snapshot.Version, Snapshot: snapshot);

    public static SessionEvent OfChange(TextChange change, SessionProgress? progress) => new(SessionEventKind.Change, change.Version, Change: change, Progress: progress);

    public static SessionEvent OfPresence(PresenceView presence) => new(SessionEventKind.Presence, presence.Version, Presence: presence);

    /// <summary>The session settled with this event (idle, cancelled or failed).</summary>
    public bool Settles => (Snapshot?.Status ?? Progress?.Status)?.IsSettled() == true;
}
