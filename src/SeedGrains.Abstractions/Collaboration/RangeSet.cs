using System.Text;
using SeedGrains.Abstractions.Errors;

namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// A set of replaced ranges of one text, applied simultaneously. Valid when sorted by start, within the text, and
/// non-overlapping: each range starts at or after the previous one's end, and two insertions at the same offset are
/// not allowed (their order would be ambiguous); an insertion may precede a range that starts at its offset.
/// </summary>
public static class RangeSet
{
    /// <summary>Throws <see cref="InvalidSessionRequestException"/> naming the first bad range.</summary>
    public static void Validate(IReadOnlyList<ReplacedRange> ranges, int textLength)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        for (var i = 0; i < ranges.Count; i++)
        {
            var r = ranges[i] ?? throw new InvalidSessionRequestException($"Range {i} is null.");
            if (r.Text is null)
                throw new InvalidSessionRequestException($"Range {i} has no text.");
            if (r.Start < 0 || r.End < r.Start || r.End > textLength)
                throw new InvalidSessionRequestException($"Range {i} [{r.Start}, {r.End}) is not within the text (length {textLength}).");
            if (i == 0)
                continue;
            var previous = ranges[i - 1];
            if (r.Start < previous.End)
                throw new InvalidSessionRequestException($"Range {i} [{r.Start}, {r.End}) overlaps or precedes range {i - 1} [{previous.Start}, {previous.End}); ranges must be sorted and non-overlapping.");
            if (r.IsInsertion && previous.IsInsertion && r.Start == previous.Start)
                throw new InvalidSessionRequestException($"Ranges {i - 1} and {i} are both insertions at {r.Start}; join their texts into one.");
        }
    }

    /// <summary>Validates, then applies all ranges at once. Nothing is applied when a range is invalid.</summary>
    public static string Apply(string text, IReadOnlyList<ReplacedRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(text);
        Validate(ranges, text.Length);
        if (ranges.Count == 0)
            return text;
        var result = new StringBuilder(text.Length + LengthDelta(ranges));
        var position = 0;
        foreach (var r in ranges)
        {
            result.Append(text, position, r.Start - position).Append(r.Text);
            position = r.End;
        }
        return result.Append(text, position, text.Length - position).ToString();
    }

    /// <summary>How much longer the text gets.</summary>
    public static int LengthDelta(IReadOnlyList<ReplacedRange> ranges)
    {
        var delta = 0;
        foreach (var r in ranges)
            delta += r.LengthDelta;
        return delta;
    }

    /// <summary>The same set without ranges that change nothing (empty range, empty text).</summary>
    public static IReadOnlyList<ReplacedRange> WithoutNoOps(IReadOnlyList<ReplacedRange> ranges)
    {
        foreach (var r in ranges)
        {
            if (r.IsNoOp)
                return ranges.Where(x => !x.IsNoOp).ToArray();
        }
        return ranges;
    }

    /// <summary>The inverse set: applied to the changed text, gives back <paramref name="before"/>.</summary>
    public static IReadOnlyList<ReplacedRange> Inverse(string before, IReadOnlyList<ReplacedRange> ranges)
    {
        Validate(ranges, before.Length);
        var inverse = new List<ReplacedRange>(ranges.Count);
        var shift = 0;
        foreach (var r in ranges)
        {
            var start = r.Start + shift;
            inverse.Add(new ReplacedRange(start, start + r.Text.Length, before[r.Start..r.End]));
            shift += r.LengthDelta;
        }
        return WithoutNoOps(inverse);
    }

    /// <summary>Same ranges, same texts, same order.</summary>
    public static bool SequenceEqual(IReadOnlyList<ReplacedRange> a, IReadOnlyList<ReplacedRange> b) => a.SequenceEqual(b);
}
