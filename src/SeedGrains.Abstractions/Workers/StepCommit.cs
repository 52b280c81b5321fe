namespace SeedGrains.Abstractions.Workers;

/// <summary>A window position filled with a token and the model's probability for it.</summary>
[GenerateSerializer, Immutable]
public readonly record struct StepCommit([property: Id(0)] int Position, [property: Id(1)] int Token, [property: Id(2)] float Confidence);
