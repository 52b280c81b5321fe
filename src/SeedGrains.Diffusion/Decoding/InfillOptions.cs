namespace SeedGrains.Diffusion.Decoding;

/// <summary>How <see cref="InfillDecoder"/> walks a region.</summary>
/// <param name="BlockSize">Semi-autoregressive blocks, left to right, parallel inside a block (0 = one block).</param>
/// <param name="UseCache">Dual cache (Fast-dLLM): the context's keys/values come from the last full forward and
/// only the region is recomputed each step. Approximate: the context does not see the newest commits until a refresh.</param>
/// <param name="RefreshEvery">With the cache, redo the full forward every N steps (1 = always: exact, equals no cache).</param>
/// <param name="MaxSteps">Hard cap on steps (the policy's stepsLeft counts down from it).</param>
/// <param name="RemaskBudget">Refinement (ReMDM-style): total low-confidence commits that may be re-masked and redone.</param>
/// <param name="RemaskBelow">A committed token whose probability is below this is a re-mask candidate.</param>
/// <param name="PadEndsRegion">A committed pad (or end) token ends the region: every masked position after it becomes
/// pad in the same step. Training puts pads only after the span, contiguously, so the model would fill them one by
/// one anyway; this spends no steps on them.</param>
/// <param name="BlockHandover">With the cache and blocks: at a block boundary, instead of a full forward of the canvas,
/// the finished block joins the cached context through a forward of its own tokens, and the next block leaves it.
/// Cheaper by a canvas per block; more approximate: the rest of the context does not see the block until a refresh
/// (<paramref name="RefreshEvery"/>, which then counts steps across blocks).</param>
public sealed record InfillOptions(
    int BlockSize = 0,
    bool UseCache = true,
    int RefreshEvery = int.MaxValue,
    int MaxSteps = 64,
    int RemaskBudget = 0,
    float RemaskBelow = 0.3f,
    bool PadEndsRegion = false,
    bool BlockHandover = false)
{
    public static InfillOptions Default { get; } = new();
}
