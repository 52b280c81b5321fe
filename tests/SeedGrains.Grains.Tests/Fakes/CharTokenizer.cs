using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Tests.Fakes;

/// <summary>One token per UTF-16 code unit (id = 3 + code), specials 0 pad, 1 end, 2 mask: exactly reversible.</summary>
public sealed class CharTokenizer : ICodeTokenizer
{
    public const int Pad = 0;
    public const int End = 1;
    public const int Mask = 2;
    private const int Offset = 3;
    private static readonly string[] SpecialNames = ["<|pad|>", "<|endoftext|>", "<|mask|>"];

    public int VocabularySize => Offset + 65536;

    public static int IdOf(char c) => Offset + c;

    public int? SpecialTokenId(string token)
    {
        var index = Array.IndexOf(SpecialNames, token);
        return index < 0 ? null : index;
    }

    public EncodedText Encode(string text) =>
        new(text.Select(IdOf).ToArray(), Enumerable.Range(0, text.Length).Select(i => (i, i + 1)).ToArray());

    /// <summary>Special names are never parsed from text here, so verbatim is the same encoding.</summary>
    public EncodedText EncodeVerbatim(string text) => Encode(text);

    public string Decode(IEnumerable<int> ids) =>
        string.Concat(ids.Select(id => id < Offset ? SpecialNames[id] : ((char)(id - Offset)).ToString()));
}
