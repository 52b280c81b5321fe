using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Grains.Sessions;

/// <summary>Immutable fixed text with a lazily computed token cache.</summary>
internal sealed class FixedSegment(string text) : CanvasSegment
{
    private int[]? _tokens;

    public string Text { get; } = text;

    public int[] Tokens(ICodeTokenizer tokenizer) => _tokens ??= Text.Length == 0 ? [] : tokenizer.EncodeVerbatim(Text).Ids;

    public void DropTokens() => _tokens = null;
}
