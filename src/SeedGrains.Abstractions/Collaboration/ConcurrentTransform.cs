namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// Transforms a person's edit E and a concurrent change C of the same text past each other (the rules are written out
/// in docs/api.md, "Collaborative editing: the transform"). The server uses the edit side to rebase an edit through
/// its log; a client uses both sides to keep its unacknowledged edits on top of the server's changes. Both sides come
/// from one merged plan, so E'(C(T)) == C'(E(T)) by construction (TP1).
/// </summary>
public static class ConcurrentTransform
{
    /// <param name="edit">The person's ranges (a valid <see cref="RangeSet"/> of T).</param>
    /// <param name="change">The concurrent change (a valid <see cref="RangeSet"/> of the same T), already applied first.</param>
    public static TransformOutcome Transform(IReadOnlyList<ReplacedRange> edit, IReadOnlyList<ReplacedRange> change, ChangeRelation relation)
    {
        edit = RangeSet.WithoutNoOps(edit);
        if (relation == ChangeRelation.OtherPerson && FirstConflict(edit, change) is { } conflicting)
            return TransformOutcome.Conflict(conflicting);
        change = RangeSet.WithoutNoOps(change);
        var pieces = new TransformPlan(edit, change).Pieces();
        return new TransformOutcome(TransformPlan.Ranges(pieces, forEdit: true), TransformPlan.Ranges(pieces, forEdit: false), null);
    }

    /// <summary>
    /// Whether two ranges of one text overlap: both non-empty and sharing a code unit, or one's insertion point strictly
    /// inside the other's range. Touching ends, and insertions at the same point, do not overlap.
    /// </summary>
    public static bool Overlaps(ReplacedRange a, ReplacedRange b) =>
        a.IsInsertion ? !b.IsInsertion && b.Start < a.Start && a.Start < b.End
        : b.IsInsertion ? a.Start < b.Start && b.Start < a.End
        : Math.Max(a.Start, b.Start) < Math.Min(a.End, b.End);

    /// <summary>The index of the change's first range (not a no-op) that some edit range overlaps, if any.</summary>
    private static int? FirstConflict(IReadOnlyList<ReplacedRange> edit, IReadOnlyList<ReplacedRange> change)
    {
        for (var j = 0; j < change.Count; j++)
        {
            if (change[j].IsNoOp)
                continue;
            foreach (var e in edit)
            {
                if (e.Start > change[j].End)
                    break;
                if (Overlaps(e, change[j]))
                    return j;
            }
        }
        return null;
    }
}
