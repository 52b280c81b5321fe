namespace SeedGrains.Abstractions.Sessions;

/// <summary>One entry of a tenant's session index: enough to list sessions without activating them.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] SessionStatus Status,
    [property: Id(2)] long Version,
    [property: Id(3)] DateTimeOffset Created,
    [property: Id(4)] DateTimeOffset Updated,
    [property: Id(5)] int Size);
