using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Diffusion.Tests.Tokenization;

/// <summary>The HF byte-level BPE fixture (Fixtures/hf-bpe-4k, see PROVENANCE.md) shared by the tokenizer tests.</summary>
internal static class TokenizerFixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf-bpe-4k");

    private static readonly Lazy<CodeTokenizer> Hf4k = new(() => CodeTokenizer.Load(Directory));
    private static readonly Lazy<IReadOnlyList<TokenizerCase>> HfCases = new(() => TokenizerCase.ReadFile(Path.Combine(Directory, "cases.json")));

    public static CodeTokenizer Tokenizer => Hf4k.Value;

    public static IReadOnlyList<TokenizerCase> Cases => HfCases.Value;

    /// <summary>The bytes each token completes, decoded with a streaming UTF-8 decoder: what token i adds to the text.</summary>
    public static string[] TextCompletedByEachToken(CodeTokenizer tokenizer, int[] ids)
    {
        var decoder = System.Text.Encoding.UTF8.GetDecoder();
        var result = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            var bytes = tokenizer.BytesOf(ids[i]).ToArray();
            var chars = new char[bytes.Length + 4];
            var count = decoder.GetChars(bytes, 0, bytes.Length, chars, 0, flush: false);
            result[i] = new string(chars, 0, count);
        }
        return result;
    }
}
