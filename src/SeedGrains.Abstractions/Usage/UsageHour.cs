namespace SeedGrains.Abstractions.Usage;

/// <summary>One tenant's usage in the hour starting at <paramref name="Hour"/> (UTC).</summary>
[GenerateSerializer, Immutable]
public sealed record UsageHour(
    [property: Id(0)] DateTimeOffset Hour,
    [property: Id(1)] long SessionsCreated,
    [property: Id(2)] long Completions,
    [property: Id(3)] long Steps,
    [property: Id(4)] long GeneratedTokens,
    [property: Id(5)] long PromptTokens,
    [property: Id(6)] IReadOnlyDictionary<string, long> RejectedByReason);
