namespace SeedGrains.Abstractions.Workers;

/// <summary>Wire mirror of the decoder's commit policy; the worker maps it one to one.</summary>
[GenerateSerializer, Immutable]
public sealed record StepPolicy(
    [property: Id(0)] StepCommitRule Rule = StepCommitRule.Confidence,
    [property: Id(1)] float Threshold = 0.9f,
    [property: Id(2)] float EntropyBound = 1.0f,
    [property: Id(3)] float Temperature = 0f,
    [property: Id(4)] float TopP = 1f)
{
    public static StepPolicy Default { get; } = new();
}
