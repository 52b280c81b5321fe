namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// The recent changes of one document, one per version, oldest first, bounded by <see cref="ChangeLogLimits"/>
/// (time from an injected <see cref="TimeProvider"/>). Not thread-safe: its owner (the session grain) serialises calls.
/// </summary>
public sealed class ChangeLog
{
    private readonly record struct Entry(TextChange Change, DateTimeOffset Appended);

    private readonly List<Entry> _entries = [];
    private readonly TimeProvider _time;
    private readonly ChangeLogLimits _limits;
    private int _head; // entries before it are evicted; compacted now and then
    private long _bytes;

    /// <param name="currentVersion">The document's version when the log starts (it holds no changes yet).</param>
    public ChangeLog(long currentVersion, TimeProvider time, ChangeLogLimits? limits = null)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _limits = limits ?? ChangeLogLimits.Default;
        _limits.Validate();
        CurrentVersion = currentVersion;
    }

    public long CurrentVersion { get; private set; }

    /// <summary>The oldest version an edit may name as its base (the version before the oldest change kept).</summary>
    public long OldestBaseVersion => Count == 0 ? CurrentVersion : _entries[_head].Change.Version - 1;

    public int Count => _entries.Count - _head;

    /// <summary>The sum of the kept changes' <see cref="TextChange.EstimatedBytes"/>.</summary>
    public long Bytes => _bytes;

    /// <summary>Records the change that produced the next version, then evicts what the limits allow.</summary>
    public void Append(TextChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Version != CurrentVersion + 1)
            throw new ArgumentException($"The change produces version {change.Version}; the log expects {CurrentVersion + 1}.", nameof(change));
        _entries.Add(new Entry(change, _time.GetUtcNow()));
        _bytes += change.EstimatedBytes;
        CurrentVersion = change.Version;
        Evict();
    }

    /// <summary>The changes after <paramref name="version"/>, oldest first; false when they have left the log.</summary>
    public bool TrySince(long version, out IReadOnlyList<TextChange> changes)
    {
        if (version > CurrentVersion)
            throw new ArgumentOutOfRangeException(nameof(version), version, $"The current version is {CurrentVersion}.");
        if (version < OldestBaseVersion)
        {
            changes = [];
            return false;
        }
        var first = _entries.Count - (int)(CurrentVersion - version);
        changes = _entries.GetRange(first, _entries.Count - first).Select(e => e.Change).ToArray();
        return true;
    }

    /// <summary>Rebases a person's edit onto the current version (see <see cref="EditRebaser"/>).</summary>
    public RebaseResult Rebase(PersonEdit edit, int currentLength)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (edit.BaseVersion > CurrentVersion)
            return EditRebaser.Rebase(edit, [], CurrentVersion, currentLength); // throws: a future base is a bad request
        if (!TrySince(edit.BaseVersion, out var changes))
            return new RebaseResult.TooOld(OldestBaseVersion, CurrentVersion);
        return EditRebaser.Rebase(edit, changes, CurrentVersion, currentLength);
    }

    private void Evict()
    {
        var now = _time.GetUtcNow();
        while (Count > 0)
        {
            var oldest = _entries[_head];
            var overCap = Count > _limits.MaxEntries || _bytes > _limits.MaxBytes;
            var beyondMinimum = Count > _limits.MinVersions && now - oldest.Appended > _limits.MinAge;
            if (!overCap && !beyondMinimum)
                break;
            _bytes -= oldest.Change.EstimatedBytes;
            _entries[_head++] = default;
        }
        if (_head > 64 && _head * 2 > _entries.Count)
        {
            _entries.RemoveRange(0, _head);
            _head = 0;
        }
    }
}
