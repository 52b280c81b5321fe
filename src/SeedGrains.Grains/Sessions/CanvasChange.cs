using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Sessions;

/// <summary>A canvas after a change, and the change as exact replaced ranges of the rendered text before it.</summary>
internal sealed record CanvasChange(DocumentCanvas Canvas, IReadOnlyList<ReplacedRange> Ranges);
