namespace SeedGrains.Grains.Sessions;

/// <summary>
/// A region being generated: its tokens (mask id where still to fill) with per-token confidence, the decoding it was
/// asked with (<see cref="RegionDecoding"/>) and the steps spent on it.
/// </summary>
internal sealed class RegionSegment(int[] tokens, float[] confidence, int masked, RegionDecoding decoding) : CanvasSegment
{
    public RegionDecoding Decoding { get; } = decoding;

    public int[] Tokens { get; } = tokens;

    public float[] Confidence { get; } = confidence;

    public int Masked { get; set; } = masked;

    /// <summary>Steps spent on this region so far (checkpointed with its tokens; carried to the parts of a split region).</summary>
    public int Steps { get; set; }

    public static RegionSegment AllMasked(int budget, int mask, RegionDecoding decoding, int steps = 0) =>
        new(Enumerable.Repeat(mask, budget).ToArray(), new float[budget], budget, decoding) { Steps = steps };

    /// <summary>Checkpointed tokens; their confidences are not persisted (nothing reads them once committed), so they restore as 0.</summary>
    public static RegionSegment FromCheckpoint(int[] tokens, int mask, RegionDecoding decoding, int steps) =>
        new((int[])tokens.Clone(), new float[tokens.Length], tokens.Count(t => t == mask), decoding) { Steps = steps };

    public RegionSegment Copy() => new((int[])Tokens.Clone(), (float[])Confidence.Clone(), Masked, Decoding) { Steps = Steps };

    public RegionSegment WithoutMasks(int mask)
    {
        var keep = Enumerable.Range(0, Tokens.Length).Where(i => Tokens[i] != mask).ToArray();
        return new RegionSegment(keep.Select(i => Tokens[i]).ToArray(), keep.Select(i => Confidence[i]).ToArray(), 0, Decoding);
    }
}
