namespace SeedGrains.Grains.Sessions;

/// <summary>One part of a <see cref="DocumentCanvas"/>: fixed text (<see cref="FixedSegment"/>) or a region being generated (<see cref="RegionSegment"/>).</summary>
internal abstract class CanvasSegment;
