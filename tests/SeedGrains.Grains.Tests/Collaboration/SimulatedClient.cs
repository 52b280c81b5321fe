using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Tests.Collaboration;

/// <summary>
/// A client of the convergence simulation: a <see cref="ClientDocument"/> and its three channels, each FIFO — requests
/// to the server, the change stream, and 409 responses — delivered one message at a time in whatever order the test
/// picks. Checks after every event that the local text is the confirmed text plus the pending edits, and that the
/// local changes it reports turn the old local text into the new one.
/// </summary>
internal sealed class SimulatedClient(string clientId, string text, long version)
{
    public ClientDocument Document { get; } = new(clientId, text, version);

    public Queue<PersonEdit> Requests { get; } = new();

    public Queue<TextChange> Stream { get; } = new();

    public Queue<string> Rejections { get; } = new();

    public HashSet<char> TypedMarkers { get; } = [];

    public int RolledBack { get; private set; }

    public bool Idle => Requests.Count == 0 && Stream.Count == 0 && Rejections.Count == 0;

    /// <summary>An insertion, deletion or replacement (sometimes two at once) that never covers a marker.</summary>
    public void Type(Random random, Func<char> nextMarker)
    {
        var text = Document.Text;
        var first = PickRange(random, text, 0, nextMarker);
        if (first is null)
            return;
        var ranges = new List<ReplacedRange> { first };
        if (random.Next(4) == 0 && PickRange(random, text, first.End + 1, nextMarker) is { } second)
            ranges.Add(second);
        foreach (var r in ranges)
            TypedMarkers.UnionWith(r.Text.Where(Alphabet.IsMarker));
        var before = Document.Text;
        if (Document.LocalEdit(ranges) is { } request)
            Requests.Enqueue(request);
        Assert.Equal(RangeSet.Apply(before, ranges), Document.Text);
        CheckInvariant();
    }

    public void DeliverStreamEvent()
    {
        var change = Stream.Dequeue();
        Deliver(document => document.OnServerChange(change));
    }

    public void DeliverRejection()
    {
        var editId = Rejections.Dequeue();
        Deliver(document => document.OnRejected(editId));
    }

    private void Deliver(Func<ClientDocument, ClientUpdate> deliver)
    {
        var before = Document.Text;
        var update = deliver(Document);
        Assert.Equal(update.LocalChanges.Aggregate(before, RangeSet.Apply), Document.Text);
        RolledBack += update.RolledBack.Count;
        if (update.ToSend is { } request)
            Requests.Enqueue(request);
        CheckInvariant();
    }

    private void CheckInvariant() =>
        Assert.Equal(Document.Pending.Aggregate(Document.ConfirmedText, (t, e) => RangeSet.Apply(t, e.Ranges)), Document.Text);

    private static ReplacedRange? PickRange(Random random, string text, int from, Func<char> nextMarker)
    {
        if (from > text.Length)
            return null;
        var start = random.Next(from, text.Length + 1);
        var kind = random.Next(3); // 0: insert a marker, 1: delete, 2: replace with a marker
        var end = kind == 0 ? start : Math.Min(text.Length, start + random.Next(1, 4));
        if (kind != 0 && (end == start || text[start..end].Any(Alphabet.IsMarker)))
            return null;
        return new ReplacedRange(start, end, kind == 1 ? "" : nextMarker().ToString());
    }
}
