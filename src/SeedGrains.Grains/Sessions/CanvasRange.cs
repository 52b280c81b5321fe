namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Replace [<paramref name="Start"/>, <paramref name="End"/>) of the rendered text with <paramref name="Text"/>; with
/// <paramref name="NewRegionBudget"/> &gt; 0 the replacement is a new all-masked region of that many tokens (and
/// <paramref name="Text"/> is its rendering, the placeholders), decoded by <paramref name="Decoding"/>.
/// </summary>
internal sealed record CanvasRange(int Start, int End, string Text, int NewRegionBudget = 0, RegionDecoding? Decoding = null);
