namespace SeedGrains.Grains.Sessions;

/// <summary>
/// A region being generated: its tokens (mask id where still to fill) with per-token confidence, the decoding it was
/// asked with (<see cref="RegionDecoding"/>) and the steps spent on it. Each position has an identity
/// (<see cref="MaskIdentity"/>) that follows it through edits: what a step's commits are written by.
/// </summary>
internal sealed class RegionSegment(int[] tokens, float[] confidence, int masked, RegionDecoding decoding, long[]? ids = null) : CanvasSegment
{
    public RegionDecoding Decoding { get; } = decoding;

    public int[] Tokens { get; } = tokens;

    public float[] Confidence { get; } = confidence;

    /// <summary>The identity of each position (what a step in flight knows a mask by).</summary>
    public long[] Ids { get; } = ids ?? MaskIdentity.Fresh(tokens.Length);

    public int Masked { get; set; } = masked;

    /// <summary>Steps spent on this region so far (checkpointed with its tokens; carried to the parts of a split region).</summary>
    public int Steps { get; set; }

    public static RegionSegment AllMasked(int budget, int mask, RegionDecoding decoding, int steps = 0) =>
        new(Enumerable.Repeat(mask, budget).ToArray(), new float[budget], budget, decoding) { Steps = steps };

    /// <summary>The surviving masks of a split region, keeping their identities.</summary>
    public static RegionSegment OfMasks(long[] ids, int mask, RegionDecoding decoding, int steps) =>
        new(Enumerable.Repeat(mask, ids.Length).ToArray(), new float[ids.Length], ids.Length, decoding, ids) { Steps = steps };

    /// <summary>Checkpointed tokens; their confidences are not persisted (nothing reads them once committed), so they restore as 0.</summary>
    public static RegionSegment FromCheckpoint(int[] tokens, int mask, RegionDecoding decoding, int steps) =>
        new((int[])tokens.Clone(), new float[tokens.Length], tokens.Count(t => t == mask), decoding) { Steps = steps };

    public RegionSegment Copy() => new((int[])Tokens.Clone(), (float[])Confidence.Clone(), Masked, Decoding, Ids) { Steps = Steps };

    public RegionSegment WithoutMasks(int mask)
    {
        var keep = Enumerable.Range(0, Tokens.Length).Where(i => Tokens[i] != mask).ToArray();
        return new RegionSegment(keep.Select(i => Tokens[i]).ToArray(), keep.Select(i => Confidence[i]).ToArray(), 0, Decoding);
    }
}
