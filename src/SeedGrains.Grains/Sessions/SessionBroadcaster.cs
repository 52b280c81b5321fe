using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// What the session tells its watchers: whole snapshots to <see cref="Watch"/> (completions read those) and deltas to
/// <see cref="Events"/> — a snapshot or the changes since a Last-Event-ID, then one change event per version and
/// presence events. A delta watcher too slow for the stream gets a fresh snapshot instead of what it could not take.
/// Not thread-safe: used from grain turns only.
/// </summary>
internal sealed class SessionBroadcaster
{
    private readonly SessionDocument _document;
    private readonly WatcherHub<SessionUpdate> _snapshots = new();
    private readonly WatcherHub<SessionEvent> _events;

    public SessionBroadcaster(SessionDocument document, TimeProvider time, int capacity = 256)
    {
        _document = document;
        _events = new WatcherHub<SessionEvent>(capacity, () => SessionEvent.OfSnapshot(document.Snapshot!));
        Presence = new PresenceBoard(time);
    }

    public PresenceBoard Presence { get; }

    /// <summary>Delta watchers that got a snapshot because they fell behind.</summary>
    public int Resyncs => _events.Resyncs;

    /// <summary>The document changed by <paramref name="changes"/> (one per version; none for a creation).</summary>
    public void Published(SessionUpdateKind kind, IReadOnlyList<TextChange> changes)
    {
        var snapshot = _document.Snapshot!;
        if (_snapshots.Count > 0) _snapshots.Publish(new SessionUpdate(kind, snapshot));
        for (var i = 0; i < changes.Count; i++)
        {
            Presence.Rebase(changes[i]);
            _events.Publish(SessionEvent.OfChange(changes[i], i == changes.Count - 1 ? SessionProgress.Of(snapshot) : null));
        }
        ExpirePresence();
    }

    public IAsyncEnumerable<SessionUpdate> Watch(bool untilSettled, CancellationToken cancellationToken) =>
        _snapshots.Watch(new SessionUpdate(SessionUpdateKind.Snapshot, _document.Snapshot!), u => untilSettled && u.Snapshot.Status.IsSettled(), cancellationToken);

    /// <summary>Subscribes now (in the caller's turn, so nothing falls between the first events and the live ones).</summary>
    public IAsyncEnumerable<SessionEvent> Events(long? lastEventId, bool untilSettled, CancellationToken cancellationToken)
    {
        var snapshot = _document.Snapshot!;
        var firsts = new List<SessionEvent>();
        if (lastEventId is { } since && since >= 0 && since <= _document.Version && _document.Log.TrySince(since, out var changes)
            && (changes.Count > 0 || !(untilSettled && snapshot.Status.IsSettled())))
            firsts.AddRange(changes.Select((c, i) => SessionEvent.OfChange(c, i == changes.Count - 1 ? SessionProgress.Of(snapshot) : null)));
        else
            firsts.Add(SessionEvent.OfSnapshot(snapshot));
        firsts.AddRange(Presence.Current.Select(SessionEvent.OfPresence));
        return _events.Watch(firsts, e => untilSettled && e.Settles, cancellationToken);
    }

    /// <summary>Records and broadcasts a client's presence (rebased to the current version).</summary>
    public PresenceView SetPresence(PresenceUpdate update)
    {
        ExpirePresence();
        var view = Presence.Set(update, _document.Log, _document.Snapshot!.Text.Length);
        _events.Publish(SessionEvent.OfPresence(view));
        return view;
    }

    /// <summary>Announces the clients silent for too long as gone.</summary>
    public void ExpirePresence()
    {
        foreach (var left in Presence.Expire(_document.Version))
            _events.Publish(SessionEvent.OfPresence(left));
    }

    public void CompleteAll()
    {
        _snapshots.CompleteAll();
        _events.CompleteAll();
    }
}
