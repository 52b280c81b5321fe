using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Diffusion.Tests.Tokenization;

/// <summary>The trained vocabulary committed under models/tokenizer loads and behaves (see its README.md).</summary>
public sealed class BundledTokenizerTests
{
    private static string ModelDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", "tokenizer");
            if (File.Exists(Path.Combine(candidate, "tokenizer.json"))) return candidate;
        }
        throw new DirectoryNotFoundException("models/tokenizer/tokenizer.json not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void LoadsWith8192TokensAndTheSpecialsFirst()
    {
        var tokenizer = CodeTokenizer.Load(ModelDirectory());
        Assert.Equal(8192, tokenizer.VocabularySize);
        string[] specials = ["<|endoftext|>", "<|mask|>", "<|pad|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>"];
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (int?)i), specials.Select(tokenizer.SpecialTokenId));
    }

    [Fact]
    public void EncodesPythonCompactlyAndRoundTrips()
    {
        var tokenizer = CodeTokenizer.Load(ModelDirectory());
        const string code = "class Spam(object):\n    def __init__(self, value=None):\n        self.value = value\n\n    def __repr__(self):\n        return f'Spam({self.value!r})'\n";
        var encoded = tokenizer.Encode(code);
        Assert.Equal(code, tokenizer.Decode(encoded.Ids));
        Assert.Null(OffsetCheck.FindProblem(encoded.Offsets, code.Length));
        Assert.InRange((double)code.Length / encoded.Ids.Length, 3.0, 8.0);
        Assert.Single(tokenizer.Encode(" self").Ids);
        Assert.Single(tokenizer.Encode(" return").Ids);
    }

    [Fact]
    public void ConcurrentEncodesAgreeWithSequentialOnes()
    {
        var tokenizer = CodeTokenizer.Load(ModelDirectory());
        var texts = ToyCodeCorpus.Documents(64, seed: 5);
        var sequential = texts.Select(t => tokenizer.Encode(t).Ids).ToArray();
        var parallel = new int[texts.Count][];
        Parallel.For(0, texts.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i % texts.Count] = tokenizer.Encode(texts[i % texts.Count]).Ids);
        Assert.Equal(sequential, parallel);
    }
}
