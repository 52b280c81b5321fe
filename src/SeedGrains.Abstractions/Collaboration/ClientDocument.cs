namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// What a client library keeps (ot.js / Jupiter style): the confirmed server text and version, and the client's own
/// edits not yet acknowledged, oldest first. Only the oldest is ever in flight; the others wait until it is
/// acknowledged (by its clientId + editId in the change stream) or rejected. The local text is always the confirmed
/// text with the pending edits applied. Every server change is transformed past the pending edits with the same
/// <see cref="ConcurrentTransform"/> the server uses to rebase them, so both ends reach the same text.
/// A pending edit that overlaps another person's change is rolled back at once, whether sent or not: the server
/// would reject the one in flight (its 409 is then expected and ignored), and the others follow the same rule.
/// </summary>
public sealed class ClientDocument
{
    private readonly List<PersonEdit> _pending = [];
    private readonly HashSet<string> _expectedRejections = new(StringComparer.Ordinal);
    private bool _headInFlight;
    private long _editCounter;

    public ClientDocument(string clientId, string text, long version)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        if (ChangeAuthors.IsModel(clientId))
            throw new ArgumentException($"clientId '{ChangeAuthors.Model}' is reserved.", nameof(clientId));
        ClientId = clientId;
        ConfirmedText = Text = text ?? throw new ArgumentNullException(nameof(text));
        ConfirmedVersion = version;
    }

    public string ClientId { get; }

    public string ConfirmedText { get; private set; }

    public long ConfirmedVersion { get; private set; }

    /// <summary>What the user sees: <see cref="ConfirmedText"/> with <see cref="Pending"/> applied in order.</summary>
    public string Text { get; private set; }

    /// <summary>Unacknowledged edits, oldest first; each one's ranges refer to the text before it.</summary>
    public IReadOnlyList<PersonEdit> Pending => _pending;

    /// <summary>
    /// Applies the user's edit (ranges of <see cref="Text"/>) at once and returns the request to send, or null when an
    /// earlier edit is still in flight (this one is sent after it).
    /// </summary>
    public PersonEdit? LocalEdit(IReadOnlyList<ReplacedRange> ranges)
    {
        Text = RangeSet.Apply(Text, ranges);
        ranges = RangeSet.WithoutNoOps(ranges);
        if (ranges.Count == 0)
            return null;
        _pending.Add(new PersonEdit(ClientId, $"{ClientId}:{++_editCounter}", ConfirmedVersion, ranges));
        return SendHeadIfIdle();
    }

    /// <summary>
    /// Every change of the stream, in version order. An already-seen version is ignored; a gap throws (the client
    /// must start again from a snapshot).
    /// </summary>
    public ClientUpdate OnServerChange(TextChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Version <= ConfirmedVersion)
            return ClientUpdate.Nothing;
        if (change.Version != ConfirmedVersion + 1)
            throw new InvalidOperationException($"Missed versions {ConfirmedVersion + 1}..{change.Version - 1}; resynchronise from a snapshot.");
        if (IsOwn(change))
            return Acknowledge(change);

        var changeText = RangeSet.Apply(ConfirmedText, change.Ranges);
        var relation = ChangeAuthors.RelationOf(ClientId, change.Author);
        var baseText = ConfirmedText; // the text the next pending edit and the (transformed) change both refer to
        var incoming = change.Ranges;
        var localChanges = new List<IReadOnlyList<ReplacedRange>>();
        var rolledBack = new List<string>();
        for (var i = 0; i < _pending.Count;)
        {
            var outcome = ConcurrentTransform.Transform(_pending[i].Ranges, incoming, relation);
            if (outcome.IsConflict)
            {
                if (i == 0 && _headInFlight)
                {
                    // The server finds the same overlap when it rebases this edit: its 409 will follow.
                    _expectedRejections.Add(_pending[0].EditId!);
                    _headInFlight = false;
                }
                localChanges.Add(RollBack(i, baseText));
                rolledBack.Add(_pending[i].EditId!);
                _pending.RemoveAt(i);
                continue;
            }
            baseText = RangeSet.Apply(baseText, _pending[i].Ranges);
            _pending[i] = _pending[i] with { Ranges = outcome.Edit };
            incoming = outcome.Change;
            i++;
        }
        localChanges.Add(incoming);
        Text = RangeSet.Apply(Text, incoming);
        ConfirmedText = changeText;
        ConfirmedVersion = change.Version;
        return new ClientUpdate(localChanges, SendHeadIfIdle(), rolledBack);
    }

    /// <summary>The server refused an edit (a 409: conflict or base too old): undo it and keep the later ones.</summary>
    public ClientUpdate OnRejected(string editId)
    {
        if (_expectedRejections.Remove(editId))
            return ClientUpdate.Nothing;
        if (!_headInFlight || _pending[0].EditId != editId)
            return ClientUpdate.Nothing;
        _headInFlight = false;
        var local = RollBack(0, ConfirmedText);
        _pending.RemoveAt(0);
        return new ClientUpdate([local], SendHeadIfIdle(), [editId]);
    }

    private bool IsOwn(TextChange change) =>
        change.EditId is not null && change.Author == ClientId
        && (_pending.Count > 0 && _headInFlight && _pending[0].EditId == change.EditId || _expectedRejections.Contains(change.EditId));

    private ClientUpdate Acknowledge(TextChange change)
    {
        if (!_headInFlight || _pending[0].EditId != change.EditId || !RangeSet.SequenceEqual(_pending[0].Ranges, RangeSet.WithoutNoOps(change.Ranges)))
            throw new InvalidOperationException($"The server applied edit {change.EditId} differently from this client's transform; resynchronise from a snapshot.");
        ConfirmedText = RangeSet.Apply(ConfirmedText, change.Ranges);
        ConfirmedVersion = change.Version;
        _pending.RemoveAt(0);
        _headInFlight = false;
        return new ClientUpdate([], SendHeadIfIdle(), []);
    }

    /// <summary>
    /// Undoes pending edit <paramref name="index"/> (whose base text is <paramref name="baseText"/>): the later ones are
    /// transformed past its inverse, as the same client's change. Returns the change to the local text. The caller
    /// removes the edit.
    /// </summary>
    private IReadOnlyList<ReplacedRange> RollBack(int index, string baseText)
    {
        var undo = RangeSet.Inverse(baseText, _pending[index].Ranges);
        for (var i = index + 1; i < _pending.Count; i++)
        {
            var outcome = ConcurrentTransform.Transform(_pending[i].Ranges, undo, ChangeRelation.Merge);
            _pending[i] = _pending[i] with { Ranges = outcome.Edit };
            undo = outcome.Change;
        }
        Text = RangeSet.Apply(Text, undo);
        return undo;
    }

    private PersonEdit? SendHeadIfIdle()
    {
        if (_headInFlight || _pending.Count == 0)
            return null;
        _headInFlight = true;
        return _pending[0] = _pending[0] with { BaseVersion = ConfirmedVersion };
    }
}
