namespace SeedGrains.Grains.Sessions;

/// <summary>A region as rendered: where it starts in the document's text, and its pieces in order.</summary>
internal sealed record RegionText(int Start, IReadOnlyList<RegionPiece> Pieces)
{
    public int Length => Pieces.Sum(p => p.Text.Length);

    public string Text => string.Concat(Pieces.Select(p => p.Text));
}
