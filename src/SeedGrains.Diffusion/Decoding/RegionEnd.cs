namespace SeedGrains.Diffusion.Decoding;

/// <summary>
/// The pad-ends-region rule: training puts pads only after a span, contiguously, so once a pad (or end) token is
/// committed in a region every mask after it is a pad. Shared by the infill decoder, the session canvas and the
/// service benchmark's raw loop.
/// </summary>
public static class RegionEnd
{
    /// <summary>Turns every mask after the region's first pad/end token into pad; returns the positions filled.</summary>
    public static IReadOnlyList<int> FillAfterFirstEnd(Span<int> region, SpecialTokenIds specials)
    {
        var end = region.IndexOfAny(specials.Pad, specials.End);
        if (end < 0) return [];
        var filled = new List<int>();
        for (var i = end + 1; i < region.Length; i++)
        {
            if (region[i] != specials.Mask) continue;
            region[i] = specials.Pad;
            filled.Add(i);
        }
        return filled;
    }
}
