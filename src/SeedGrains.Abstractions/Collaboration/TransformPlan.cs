using System.Text;

namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// Lays out the merge of an edit E and a change C (no conflicts left) as <see cref="TransformPiece"/>s, left to right
/// over T, then reads E' and C' off the pieces. The layout:
/// <list type="bullet">
/// <item>A <b>cluster</b> is a maximal group of E's non-empty ranges and C's ranges linked by overlaps (at least one
/// of each). Its span [L, R) becomes the concatenation of its edit texts: C's new text inside it is covered. E's
/// insertions at L ≤ s &lt; R join it, in order.</item>
/// <item>Any other insertion of E at s lands right after the new text of C's insertion at s, or of C's range that
/// strictly contains s (that range's old text around s is removed on the client's side).</item>
/// <item>Everything else keeps its place: ranges that merely touch stay apart, E's insertion at the start of C's range
/// stays before its new text, C's insertion at the start or end of E's range stays outside it.</item>
/// </list>
/// </summary>
internal sealed class TransformPlan(IReadOnlyList<ReplacedRange> edit, IReadOnlyList<ReplacedRange> change)
{
    private enum UnitKind { Cluster, EditRange, EditInsertion, ChangeRange }

    private readonly record struct Unit(int Start, int End, UnitKind Kind, int Index);

    private sealed class Cluster
    {
        public int Start = int.MaxValue;
        public int End = int.MinValue;
        public readonly List<int> Edits = [];
        public readonly List<int> Changes = [];
    }

    public List<TransformPiece> Pieces()
    {
        var clusters = FindClusters(out var editCluster, out var changeCluster);
        var attached = new List<int>?[change.Count];
        var units = new List<Unit>();
        for (var i = 0; i < edit.Count; i++)
        {
            var e = edit[i];
            if (editCluster[i] >= 0)
                continue;
            if (!e.IsInsertion)
            {
                units.Add(new Unit(e.Start, e.End, UnitKind.EditRange, i));
                continue;
            }
            var joined = clusters.FindIndex(k => k.Start <= e.Start && e.Start < k.End);
            if (joined >= 0)
            {
                clusters[joined].Edits.Add(i);
                continue;
            }
            var touched = StandaloneChangeHolding(e.Start, changeCluster);
            if (touched >= 0)
                (attached[touched] ??= []).Add(i);
            else
                units.Add(new Unit(e.Start, e.Start, UnitKind.EditInsertion, i));
        }
        for (var j = 0; j < change.Count; j++)
        {
            if (changeCluster[j] < 0)
                units.Add(new Unit(change[j].Start, change[j].End, UnitKind.ChangeRange, j));
        }
        for (var k = 0; k < clusters.Count; k++)
            units.Add(new Unit(clusters[k].Start, clusters[k].End, UnitKind.Cluster, k));
        // Ranges do not overlap, so (start, end) orders units; an empty unit precedes a range starting at its point.
        units.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End));

        var pieces = new List<TransformPiece>();
        var position = 0;
        foreach (var unit in units)
        {
            if (unit.Start < position)
                throw new InvalidOperationException($"Transform units overlap at {unit.Start} (internal error).");
            if (unit.Start > position)
                pieces.Add(TransformPiece.Keep(unit.Start - position));
            switch (unit.Kind)
            {
                case UnitKind.Cluster: AddCluster(pieces, clusters[unit.Index]); break;
                case UnitKind.EditRange: AddEdit(pieces, edit[unit.Index]); break;
                case UnitKind.EditInsertion: AddEdit(pieces, edit[unit.Index]); break;
                case UnitKind.ChangeRange: AddChange(pieces, change[unit.Index], attached[unit.Index]); break;
            }
            position = unit.End;
        }
        pieces.RemoveAll(p => p.IsEmpty);
        return pieces;
    }

    /// <summary>E' (over C(T)) or C' (over E(T)): runs of pieces inside it, joined across pieces empty on that side.</summary>
    public static IReadOnlyList<ReplacedRange> Ranges(List<TransformPiece> pieces, bool forEdit)
    {
        var ranges = new List<ReplacedRange>();
        var position = 0;
        int? start = null;
        var text = new StringBuilder();
        foreach (var piece in pieces)
        {
            var length = forEdit ? piece.ChangedLength : piece.EditedLength;
            if (forEdit ? piece.InEdit : piece.InChange)
            {
                start ??= position;
                text.Append(piece.Final);
            }
            else if (start is not null && length > 0)
            {
                Close(ranges, start.Value, position, text);
                start = null;
            }
            position += length;
        }
        if (start is not null)
            Close(ranges, start.Value, position, text);
        return ranges;
    }

    private static void Close(List<ReplacedRange> ranges, int start, int end, StringBuilder text)
    {
        if (start != end || text.Length > 0)
            ranges.Add(new ReplacedRange(start, end, text.ToString()));
        text.Clear();
    }

    private void AddEdit(List<TransformPiece> pieces, ReplacedRange e) =>
        pieces.Add(new TransformPiece(e.End - e.Start, e.Text.Length, e.Text, InEdit: true, InChange: false));

    /// <summary>C's range keeps its new text; E's insertions attached to it follow that text, and its old text around them goes.</summary>
    private void AddChange(List<TransformPiece> pieces, ReplacedRange c, List<int>? insertions)
    {
        var previous = c.Start;
        var newText = c.Text;
        foreach (var i in insertions ?? [])
        {
            pieces.Add(new TransformPiece(newText.Length, edit[i].Start - previous, newText, InEdit: false, InChange: true));
            pieces.Add(new TransformPiece(0, edit[i].Text.Length, edit[i].Text, InEdit: true, InChange: false));
            previous = edit[i].Start;
            newText = "";
        }
        pieces.Add(new TransformPiece(newText.Length, c.End - previous, newText, InEdit: false, InChange: true));
    }

    /// <summary>
    /// The span becomes the edit texts, in order. On the C(T) side it is one run (carried by the first piece); on the
    /// E(T) side the old text between the edit texts is removed and the edit texts stay.
    /// </summary>
    private void AddCluster(List<TransformPiece> pieces, Cluster cluster)
    {
        cluster.Edits.Sort();
        var changedLength = cluster.End - cluster.Start;
        foreach (var j in cluster.Changes)
            changedLength += change[j].LengthDelta;
        var position = cluster.Start;
        foreach (var i in cluster.Edits)
        {
            var e = edit[i];
            if (e.Start > position)
                pieces.Add(new TransformPiece(TakeOnce(ref changedLength), e.Start - position, "", InEdit: true, InChange: true));
            pieces.Add(new TransformPiece(TakeOnce(ref changedLength), e.Text.Length, e.Text, InEdit: true, InChange: false));
            position = Math.Max(position, e.End);
        }
        if (cluster.End > position)
            pieces.Add(new TransformPiece(TakeOnce(ref changedLength), cluster.End - position, "", InEdit: true, InChange: true));
    }

    private static int TakeOnce(ref int length)
    {
        var taken = length;
        length = 0;
        return taken;
    }

    /// <summary>C's insertion at the point, or C's range strictly containing it (at most one of them exists), if not in a cluster.</summary>
    private int StandaloneChangeHolding(int point, int[] changeCluster)
    {
        for (var j = 0; j < change.Count && change[j].Start <= point; j++)
        {
            var c = change[j];
            if (changeCluster[j] < 0 && (c.IsInsertion ? c.Start == point : c.Start < point && point < c.End))
                return j;
        }
        return -1;
    }

    /// <summary>Groups of E's non-empty ranges and C's ranges linked by overlaps; only groups with both sides count.</summary>
    private List<Cluster> FindClusters(out int[] editCluster, out int[] changeCluster)
    {
        var parent = Enumerable.Range(0, edit.Count + change.Count).ToArray();
        int Find(int x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
        for (var i = 0; i < edit.Count; i++)
        {
            if (edit[i].IsInsertion)
                continue;
            for (var j = 0; j < change.Count && change[j].Start <= edit[i].End; j++)
            {
                if (ConcurrentTransform.Overlaps(edit[i], change[j]))
                    parent[Find(edit.Count + j)] = Find(i);
            }
        }
        var byRoot = new Dictionary<int, Cluster>();
        for (var node = 0; node < parent.Length; node++)
        {
            var cluster = byRoot.TryGetValue(Find(node), out var found) ? found : byRoot[Find(node)] = new Cluster();
            var range = node < edit.Count ? edit[node] : change[node - edit.Count];
            (node < edit.Count ? cluster.Edits : cluster.Changes).Add(node < edit.Count ? node : node - edit.Count);
            cluster.Start = Math.Min(cluster.Start, range.Start);
            cluster.End = Math.Max(cluster.End, range.End);
        }
        var clusters = byRoot.Values.Where(k => k.Edits.Count > 0 && k.Changes.Count > 0).OrderBy(k => k.Start).ToList();
        editCluster = Enumerable.Repeat(-1, edit.Count).ToArray();
        changeCluster = Enumerable.Repeat(-1, change.Count).ToArray();
        for (var k = 0; k < clusters.Count; k++)
        {
            foreach (var i in clusters[k].Edits)
                editCluster[i] = k;
            foreach (var j in clusters[k].Changes)
                changeCluster[j] = k;
        }
        return clusters;
    }
}
