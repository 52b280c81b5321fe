using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Tests.Collaboration;

/// <summary>
/// Every pair of small edits over a 5-character text, for each relation: a conflict exactly when two ranges overlap
/// (another person only); otherwise E'(C(T)) == C'(E(T)) (TP1), and the merged text keeps exactly the characters of T
/// that neither side touched, every edit text, and every change text the edit did not overlap.
/// </summary>
public sealed class ConcurrentTransformExhaustiveTests
{
    private const string Base = "01234";

    private static readonly List<ReplacedRange[]> Edits =
        RangeSets.All(Base.Length, ["", "X", "XY"], [("X", "Y"), ("", "Y"), ("X", "")]);

    private static readonly List<ReplacedRange[]> Changes =
        RangeSets.All(Base.Length, ["", "a", "ab"], [("a", "b"), ("", "b"), ("a", "")]);

    [Theory]
    [InlineData(ChangeRelation.Merge)]
    [InlineData(ChangeRelation.OtherPerson)]
    public void Every_pair_of_small_edits_converges(ChangeRelation relation)
    {
        var checkedPairs = 0;
        var conflicts = 0;
        foreach (var edit in Edits)
        {
            var edited = RangeSet.Apply(Base, edit);
            foreach (var change in Changes)
            {
                var outcome = ConcurrentTransform.Transform(edit, change, relation);
                var overlapping = Overlapping(edit, change);
                if (relation == ChangeRelation.OtherPerson && overlapping.Count > 0)
                {
                    Assert.True(outcome.IsConflict, Describe(edit, change, "expected a conflict"));
                    Assert.Equal(overlapping.Min(), outcome.ConflictingRange);
                    conflicts++;
                    continue;
                }
                Assert.False(outcome.IsConflict, Describe(edit, change, "unexpected conflict"));
                var serverText = RangeSet.Apply(RangeSet.Apply(Base, change), outcome.Edit);
                var clientText = RangeSet.Apply(edited, outcome.Change);
                Assert.True(serverText == clientText, Describe(edit, change, $"server '{serverText}' != client '{clientText}'"));
                AssertKeepsWhatItShould(edit, change, overlapping, serverText);
                checkedPairs++;
            }
        }
        Assert.Equal(Edits.Count * Changes.Count, checkedPairs + conflicts);
        Assert.True(Edits.Count > 300 && checkedPairs > 25_000, $"only {checkedPairs} pairs merged");
        Assert.Equal(relation == ChangeRelation.OtherPerson, conflicts > 0);
    }

    /// <summary>Indices of change ranges that some edit range overlaps (the definition, written out independently).</summary>
    private static List<int> Overlapping(ReplacedRange[] edit, ReplacedRange[] change)
    {
        var result = new List<int>();
        for (var j = 0; j < change.Length; j++)
        {
            var c = change[j];
            if (edit.Any(e => SharesCodeUnit(e, c) || StrictlyInside(e, c) || StrictlyInside(c, e)))
                result.Add(j);
        }
        return result;
    }

    private static bool SharesCodeUnit(ReplacedRange a, ReplacedRange b) =>
        Enumerable.Range(a.Start, a.End - a.Start).Any(p => b.Start <= p && p < b.End);

    private static bool StrictlyInside(ReplacedRange point, ReplacedRange range) =>
        point.Start == point.End && range.Start < point.Start && point.Start < range.End;

    private static void AssertKeepsWhatItShould(ReplacedRange[] edit, ReplacedRange[] change, List<int> overlapping, string merged)
    {
        var untouched = new string(Base.Where((_, p) => !edit.Concat(change).Any(r => r.Start <= p && p < r.End)).ToArray());
        var digits = new string(merged.Where(char.IsDigit).ToArray());
        Assert.True(untouched == digits, Describe(edit, change, $"kept '{digits}' of the base text, expected '{untouched}' ('{merged}')"));
        var editLetters = string.Concat(edit.Select(e => e.Text));
        Assert.True(new string(merged.Where(char.IsUpper).ToArray()) == editLetters, Describe(edit, change, $"edit texts lost or reordered in '{merged}'"));
        // A change range is covered when a non-empty edit range overlaps it; an edit insertion inside it lands after it.
        var covered = overlapping.Where(j => edit.Any(e => e.Start != e.End && (SharesCodeUnit(e, change[j]) || StrictlyInside(change[j], e))));
        var survivingChangeLetters = string.Concat(change.Where((_, j) => !covered.Contains(j)).Select(c => c.Text));
        Assert.True(new string(merged.Where(char.IsLower).ToArray()) == survivingChangeLetters, Describe(edit, change, $"change texts wrong in '{merged}'"));
    }

    private static string Describe(ReplacedRange[] edit, ReplacedRange[] change, string problem) =>
        $"{problem}: edit {string.Join(' ', edit.Select(r => $"[{r.Start},{r.End})'{r.Text}'"))} vs change {string.Join(' ', change.Select(r => $"[{r.Start},{r.End})'{r.Text}'"))}";
}
