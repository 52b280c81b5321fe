namespace SeedGrains.Abstractions.Sessions;

/// <summary>One notification to a watcher: why, and the whole document state after it.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionUpdate([property: Id(0)] SessionUpdateKind Kind, [property: Id(1)] SessionSnapshot Snapshot);
