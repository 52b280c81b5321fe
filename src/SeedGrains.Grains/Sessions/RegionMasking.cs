using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Regions to (re)generate as canvas ranges: validated (400 on bad input), in text order, each replaced by a new
/// all-masked region sized by <see cref="MaskBudget"/> from the replaced text's tokens, or by its maxTokens.
/// </summary>
internal static class RegionMasking
{
    public static IReadOnlyList<CanvasRange> Ranges(string text, IReadOnlyList<TextRegion> regions, string field, ICodeTokenizer tokenizer, SessionOptions options,
        RegionDecoding decoding)
    {
        for (var i = 0; i < regions.Count; i++)
        {
            if (regions[i] is null) throw new InvalidSessionRequestException($"{field}[{i}] is null.");
            if (regions[i].MaxTokens is { } max && (max < 1 || max > options.MaxRegionTokens))
                throw new InvalidSessionRequestException($"{field}[{i}].maxTokens = {max} is out of range 1..{options.MaxRegionTokens}.");
        }
        if (regions.Count == 0) return [];
        var order = TextRanges.ValidateAndOrder(text, regions.Select(r => (r.Start, r.End)).ToList(), field);
        var ranges = new List<CanvasRange>(order.Length);
        foreach (var i in order)
        {
            var replaced = text[regions[i].Start..regions[i].End];
            var budget = regions[i].MaxTokens ?? MaskBudget.For(replaced.Length == 0 ? 0 : tokenizer.EncodeVerbatim(replaced).Ids.Length, options);
            ranges.Add(new CanvasRange(regions[i].Start, regions[i].End, string.Concat(Enumerable.Repeat(SessionSnapshot.MaskPlaceholder, budget)), budget, decoding));
        }
        return ranges;
    }
}
