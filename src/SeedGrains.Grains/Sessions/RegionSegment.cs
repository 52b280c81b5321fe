namespace SeedGrains.Grains.Sessions;

/// <summary>A region being generated: its tokens (mask id where still to fill) with per-token confidence.</summary>
internal sealed class RegionSegment(int[] tokens, float[] confidence, int masked) : CanvasSegment
{
    public int[] Tokens { get; } = tokens;

    public float[] Confidence { get; } = confidence;

    public int Masked { get; set; } = masked;

    /// <summary>Steps spent on this region so far (not persisted: a new activation starts again at 0).</summary>
    public int Steps { get; set; }

    public static RegionSegment AllMasked(int budget, int mask, int steps = 0) =>
        new(Enumerable.Repeat(mask, budget).ToArray(), new float[budget], budget) { Steps = steps };

    /// <summary>Checkpointed tokens; their confidences are not persisted (nothing reads them once committed), so they restore as 0.</summary>
    public static RegionSegment FromCheckpoint(int[] tokens, int mask) => new((int[])tokens.Clone(), new float[tokens.Length], tokens.Count(t => t == mask));

    public RegionSegment Copy() => new((int[])Tokens.Clone(), (float[])Confidence.Clone(), Masked) { Steps = Steps };

    public RegionSegment WithoutMasks(int mask)
    {
        var keep = Enumerable.Range(0, Tokens.Length).Where(i => Tokens[i] != mask).ToArray();
        return new RegionSegment(keep.Select(i => Tokens[i]).ToArray(), keep.Select(i => Confidence[i]).ToArray(), 0);
    }
}
