using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>A canvas rendered to text: the text, the regions still generating, and each segment's [start, end) range.</summary>
internal sealed record RenderedDocument(string Text, IReadOnlyList<RegionView> Regions, IReadOnlyList<(int Start, int End)> SegmentRanges);
