namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// Follows a span of one version's text through a later change, for reporting where a conflicting change now stands.
/// The span grows to cover a later range that straddles either edge; an insertion at either edge stays outside.
/// </summary>
public static class RangeMapper
{
    public static (int Start, int End) Map(int start, int end, IReadOnlyList<ReplacedRange> ranges)
    {
        var mappedStart = MapStart(start, ranges);
        return (mappedStart, Math.Max(mappedStart, MapEnd(end, ranges)));
    }

    private static int MapStart(int point, IReadOnlyList<ReplacedRange> ranges)
    {
        var shift = 0;
        foreach (var r in ranges)
        {
            if (r.End <= point)
                shift += r.LengthDelta;
            else if (r.Start < point)
                return r.Start + shift;
            else
                break;
        }
        return point + shift;
    }

    private static int MapEnd(int point, IReadOnlyList<ReplacedRange> ranges)
    {
        var shift = 0;
        foreach (var r in ranges)
        {
            if (r.End < point || (r.End == point && r.Start < point))
                shift += r.LengthDelta;
            else if (r.Start < point)
                return r.Start + shift + r.Text.Length;
            else
                break;
        }
        return point + shift;
    }
}
