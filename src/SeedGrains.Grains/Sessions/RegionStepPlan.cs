namespace SeedGrains.Grains.Sessions;

/// <summary>
/// What the next step of one region may do, by the CLI decoder's rules (<c>InfillDecoder.Decode</c>), so that a session
/// region and `seedgrains eval` / `bench decode` walk a span the same way: commit only in the block holding the
/// region's first mask ([<see cref="From"/>, <see cref="To"/>), region-local), within <see cref="StepsLeft"/> steps —
/// the steps left of the budget shared evenly by the blocks left (this one included). No budget: null, and the caller
/// allows one step per mask it may commit.
/// </summary>
internal readonly record struct RegionStepPlan(int From, int To, int? StepsLeft)
{
    public static RegionStepPlan For(ReadOnlySpan<int> tokens, int mask, RegionDecoding decoding, int stepsTaken)
    {
        var firstMasked = tokens.IndexOf(mask);
        if (firstMasked < 0) throw new InvalidOperationException("The region has no masked position left.");
        int budget = tokens.Length;
        int blockSize = decoding.BlockSize <= 0 ? budget : decoding.BlockSize;
        int blockStart = firstMasked / blockSize * blockSize, blockEnd = Math.Min(budget, blockStart + blockSize);
        if (decoding.MaxSteps <= 0) return new RegionStepPlan(blockStart, blockEnd, null);
        int stepsLeft = Math.Max(1, decoding.MaxSteps - stepsTaken);
        int blocksLeft = (budget - blockStart + blockSize - 1) / blockSize;
        return new RegionStepPlan(blockStart, blockEnd, Math.Max(1, stepsLeft / blocksLeft));
    }
}
