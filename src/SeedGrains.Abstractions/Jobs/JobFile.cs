using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Abstractions.Jobs;

/// <summary>One file of a job as submitted: its path, its text and the regions its selection chose (non-overlapping, ordered).</summary>
[GenerateSerializer, Immutable]
public sealed record JobFile(
    [property: Id(0)] string Path,
    [property: Id(1)] string Text,
    [property: Id(2)] IReadOnlyList<TextRegion> Regions);
