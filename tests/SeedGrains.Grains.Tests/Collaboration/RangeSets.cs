using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Tests.Collaboration;

/// <summary>Every small range set over a short text, for exhaustive transform tests.</summary>
internal static class RangeSets
{
    /// <summary>Single ranges with each of <paramref name="singleTexts"/>, and pairs with each of <paramref name="pairTexts"/>.</summary>
    public static List<ReplacedRange[]> All(int length, string[] singleTexts, (string, string)[] pairTexts)
    {
        var sets = new List<ReplacedRange[]>();
        var spans = new List<(int Start, int End)>();
        for (var s = 0; s <= length; s++)
        {
            for (var t = s; t <= length; t++)
                spans.Add((s, t));
        }
        foreach (var (s, t) in spans)
        {
            foreach (var text in singleTexts)
            {
                if (s != t || text.Length > 0)
                    sets.Add([new ReplacedRange(s, t, text)]);
            }
        }
        foreach (var first in spans)
        {
            foreach (var second in spans)
            {
                if (second.Start < first.End || (first.Start == first.End && second.Start == second.End && first.Start == second.Start))
                    continue;
                foreach (var (a, b) in pairTexts)
                {
                    ReplacedRange[] set = [new(first.Start, first.End, a), new(second.Start, second.End, b)];
                    if (!set.Any(r => r.IsNoOp))
                        sets.Add(set);
                }
            }
        }
        return sets;
    }
}
