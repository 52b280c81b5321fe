using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Jobs;

/// <summary>Explicit [start, end) character ranges per file; a file without ranges is left out.</summary>
public sealed class RangesSelection : JobSelection
{
    public override string Description => "ranges";

    public override IReadOnlyList<TextRegion> Find(string text, IReadOnlyList<TextRegion>? ranges)
    {
        if (ranges is null) return [];
        foreach (var range in ranges)
        {
            if (range.Start < 0 || range.End < range.Start || range.End > text.Length)
                throw new InvalidSessionRequestException($"Range [{range.Start}, {range.End}) is outside the file's {text.Length} characters.");
        }
        var sorted = ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Start < sorted[i - 1].End)
                throw new InvalidSessionRequestException($"Ranges [{sorted[i - 1].Start}, {sorted[i - 1].End}) and [{sorted[i].Start}, {sorted[i].End}) overlap.");
        }
        return sorted;
    }
}
