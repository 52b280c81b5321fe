namespace SeedGrains.Grains.Sessions;

/// <summary>
/// One rendered part of a region: a still-masked token (<see cref="IsMask"/>, rendered as the placeholder) or a run of
/// committed tokens between masks, decoded together (pad/end tokens dropped).
/// </summary>
/// <param name="Token">For a mask, its token index in the region (which identifies it across a step), else −1.</param>
internal sealed record RegionPiece(bool IsMask, string Text, int Token = -1);
