using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Where each client's cursor and selection are, kept in the current version's text: a presence sent against an older
/// version is rebased through the changes since, and every later change moves the stored ones (a position inside a
/// replaced range goes to its start; an insertion at a position moves it right). In memory only; a client silent for
/// <see cref="Ttl"/> expires. Not thread-safe: used from grain turns only.
/// </summary>
internal sealed class PresenceBoard(TimeProvider time)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, (PresenceView View, DateTimeOffset Seen)> _clients = new(StringComparer.Ordinal);

    public IReadOnlyList<PresenceView> Current => _clients.Values.Select(c => c.View).OrderBy(v => v.ClientId, StringComparer.Ordinal).ToArray();

    public int Count => _clients.Count;

    /// <summary>Records the client's presence in the text of the log's current version and returns it.</summary>
    public PresenceView Set(PresenceUpdate update, ChangeLog log, int currentLength)
    {
        if (string.IsNullOrEmpty(update?.ClientId)) throw new InvalidSessionRequestException("clientId is required.");
        if (update.ClientId.Length > 128) throw new InvalidSessionRequestException("clientId is longer than 128 characters.");
        if (update.DisplayName is { Length: > 128 }) throw new InvalidSessionRequestException("displayName is longer than 128 characters.");
        if (update.BaseVersion > log.CurrentVersion)
            throw new InvalidSessionRequestException($"baseVersion {update.BaseVersion} is newer than the current version {log.CurrentVersion}.");
        if (!log.TrySince(update.BaseVersion, out var changes))
            throw new BaseVersionTooOldException($"baseVersion {update.BaseVersion} has left the change log.", log.OldestBaseVersion, log.CurrentVersion);
        if ((update.SelectionStart is null) != (update.SelectionEnd is null))
            throw new InvalidSessionRequestException("selectionStart and selectionEnd come together.");
        var baseLength = currentLength - changes.Sum(c => c.LengthDelta);
        Check(update.Cursor, baseLength, "cursor");
        Check(update.SelectionStart, baseLength, "selectionStart");
        Check(update.SelectionEnd, baseLength, "selectionEnd");
        if (update.SelectionStart > update.SelectionEnd) throw new InvalidSessionRequestException("selectionStart is after selectionEnd.");

        var view = new PresenceView(update.ClientId, update.DisplayName, update.BaseVersion, update.Cursor, update.SelectionStart, update.SelectionEnd);
        foreach (var change in changes)
            view = Moved(view, change);
        _clients[update.ClientId] = (view, time.GetUtcNow());
        return view;
    }

    /// <summary>Moves every stored presence through the change that produced the next version.</summary>
    public void Rebase(TextChange change)
    {
        foreach (var (id, entry) in _clients.ToArray())
            _clients[id] = (Moved(entry.View, change), entry.Seen);
    }

    /// <summary>Drops the clients silent for longer than <see cref="Ttl"/>; returns their last views, marked as left.</summary>
    public IReadOnlyList<PresenceView> Expire(long currentVersion)
    {
        var now = time.GetUtcNow();
        var gone = _clients.Where(c => now - c.Value.Seen > Ttl).OrderBy(c => c.Key, StringComparer.Ordinal).ToArray();
        foreach (var c in gone)
            _clients.Remove(c.Key);
        return gone.Select(c => c.Value.View with { Version = currentVersion, Left = true }).ToArray();
    }

    private static PresenceView Moved(PresenceView view, TextChange change)
    {
        int? cursor = view.Cursor is { } p ? RangeMapper.Map(p, p, change.Ranges).Start : null;
        if (view.SelectionStart is not { } s || view.SelectionEnd is not { } e)
            return view with { Version = change.Version, Cursor = cursor };
        var (start, end) = RangeMapper.Map(s, e, change.Ranges);
        return view with { Version = change.Version, Cursor = cursor, SelectionStart = start, SelectionEnd = end };
    }

    private static void Check(int? position, int length, string field)
    {
        if (position is { } p && (p < 0 || p > length))
            throw new InvalidSessionRequestException($"{field} = {p} is outside the text of the base version (length {length}).");
    }
}
