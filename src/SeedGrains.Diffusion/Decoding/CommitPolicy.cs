namespace SeedGrains.Diffusion.Decoding;

/// <summary>Which masked positions a denoising step commits.</summary>
public enum CommitRule
{
    /// <summary>Every masked position whose top probability ≥ <see cref="CommitPolicy.Threshold"/> (at least one).</summary>
    Confidence,
    /// <summary>The ceil(masked / stepsLeft) most confident positions (LLaDA low-confidence remasking).</summary>
    TopK,
    /// <summary>Most confident first while the summed entropy stays ≤ <see cref="CommitPolicy.EntropyBound"/> (at least one).</summary>
    EntropyBounded,
}

/// <summary>How a step chooses commits and samples tokens. Temperature 0 = argmax.</summary>
public sealed record CommitPolicy(
    CommitRule Rule = CommitRule.Confidence,
    float Threshold = 0.9f,
    float EntropyBound = 1.0f,
    float Temperature = 0f,
    float TopP = 1f)
{
    public static CommitPolicy Default { get; } = new();
}
