namespace SeedGrains.Grains.Sessions;

/// <summary>
/// One rendered part of a region: a still-masked token (<see cref="IsMask"/>, rendered as the placeholder) or a run of
/// committed tokens between masks, decoded together (pad/end tokens dropped).
/// </summary>
internal sealed record RegionPiece(bool IsMask, string Text);
