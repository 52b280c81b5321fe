namespace SeedGrains.Diffusion.Tokenization;

/// <summary>Compression of a tokenizer on some texts: characters (UTF-16 units) per token.</summary>
public sealed record CharsPerToken(long Characters, long Tokens)
{
    public double Ratio => Tokens == 0 ? 0 : (double)Characters / Tokens;

    public static CharsPerToken Measure(ICodeTokenizer tokenizer, IEnumerable<string> texts)
    {
        long characters = 0, tokens = 0;
        foreach (var text in texts)
        {
            characters += text.Length;
            tokens += tokenizer.EncodeVerbatim(text).Ids.Length;
        }
        return new CharsPerToken(characters, tokens);
    }
}
