namespace SeedGrains.Abstractions.Sessions;

/// <summary>A page of a tenant's sessions; <paramref name="NextCursor"/> is opaque, null on the last page.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionPage(
    [property: Id(0)] IReadOnlyList<SessionSummary> Data,
    [property: Id(1)] string? NextCursor);
