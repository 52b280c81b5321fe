namespace SeedGrains.Abstractions.Usage;

/// <summary>What happened for one tenant since the last report; added into the hour it is reported in.</summary>
[GenerateSerializer, Immutable]
public sealed record UsageDelta(
    [property: Id(0)] long SessionsCreated = 0,
    [property: Id(1)] long Completions = 0,
    [property: Id(2)] long Steps = 0,
    [property: Id(3)] long GeneratedTokens = 0,
    [property: Id(4)] long PromptTokens = 0,
    [property: Id(5)] IReadOnlyDictionary<string, long>? RejectedByReason = null);
