namespace SeedGrains.Abstractions.Jobs;

/// <summary>The result of file <paramref name="Index"/>: its new text (null when it failed), the tokens generated for it, and why it failed.</summary>
[GenerateSerializer, Immutable]
public sealed record JobFileResult(
    [property: Id(0)] int Index,
    [property: Id(1)] JobFileOutcome Outcome,
    [property: Id(2)] string? NewText,
    [property: Id(3)] long Tokens,
    [property: Id(4)] string? Error,
    [property: Id(5)] DateTimeOffset FinishedAt);
