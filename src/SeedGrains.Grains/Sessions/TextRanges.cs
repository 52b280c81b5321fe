using SeedGrains.Abstractions.Errors;

namespace SeedGrains.Grains.Sessions;

/// <summary>Validation of client character ranges (UTF-16 offsets) against a text.</summary>
internal static class TextRanges
{
    /// <summary>
    /// Checks 0 ≤ start ≤ end ≤ length, no range splits a surrogate pair, and no two ranges overlap (two insertions at
    /// the same offset count as overlapping). Returns the indexes of the ranges in ascending order of start.
    /// </summary>
    public static int[] ValidateAndOrder(string text, IReadOnlyList<(int Start, int End)> ranges, string field)
    {
        for (var i = 0; i < ranges.Count; i++)
        {
            var (start, end) = ranges[i];
            if (start < 0 || end < start || end > text.Length)
                throw new InvalidSessionRequestException(
                    $"{field}[{i}] = [{start}, {end}) is out of range: need 0 ≤ start ≤ end ≤ {text.Length} (the text's length in UTF-16 code units).");
            if (SplitsSurrogate(text, start) || SplitsSurrogate(text, end))
                throw new InvalidSessionRequestException($"{field}[{i}] = [{start}, {end}) splits a surrogate pair.");
        }
        var order = Enumerable.Range(0, ranges.Count).OrderBy(i => ranges[i].Start).ThenBy(i => ranges[i].End).ToArray();
        for (var k = 1; k < order.Length; k++)
        {
            var previous = ranges[order[k - 1]];
            var current = ranges[order[k]];
            if (current.Start < previous.End || current.Start == previous.Start)
                throw new InvalidSessionRequestException(
                    $"{field}[{order[k - 1]}] = [{previous.Start}, {previous.End}) and {field}[{order[k]}] = [{current.Start}, {current.End}) overlap.");
        }
        return order;
    }

    private static bool SplitsSurrogate(string text, int offset) =>
        offset > 0 && offset < text.Length && char.IsHighSurrogate(text[offset - 1]) && char.IsLowSurrogate(text[offset]);
}
