namespace SeedGrains.Abstractions.Workers;

/// <summary>Wire mirror of the decoder's commit rule (the Abstractions project knows nothing of the model library).</summary>
[GenerateSerializer]
public enum StepCommitRule
{
    Confidence = 0,
    TopK = 1,
    EntropyBounded = 2,
}
