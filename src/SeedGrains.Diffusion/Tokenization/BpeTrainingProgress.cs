namespace SeedGrains.Diffusion.Tokenization;

/// <summary>Where training stands: merges done of those wanted, the frequency of the last merged pair, time so far.</summary>
public sealed record BpeTrainingProgress(int Merges, int TargetMerges, long LastPairFrequency, TimeSpan Elapsed);
