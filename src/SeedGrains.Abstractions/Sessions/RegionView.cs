namespace SeedGrains.Abstractions.Sessions;

/// <summary>A region still being generated: its [Start, End) range in the snapshot's text and its masked token count.</summary>
[GenerateSerializer, Immutable]
public sealed record RegionView([property: Id(0)] int Start, [property: Id(1)] int End, [property: Id(2)] int Masked);
