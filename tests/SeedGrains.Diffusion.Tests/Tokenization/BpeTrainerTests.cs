using System.Text.Json.Nodes;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Diffusion.Tests.Tokenization;

/// <summary>The BPE trainer: same merges as textbook BPE, saved file loads back, ids follow the merges.</summary>
public sealed class BpeTrainerTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("seedgrains-bpe-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static (TrainedBpe Bpe, List<string> Texts) Train(int vocabularySize, string pattern = BpeTrainerOptions.Qwen2Pattern, int documents = 200)
    {
        var texts = ToyCodeCorpus.Documents(documents, seed: 7);
        var trainer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = vocabularySize, PreTokenizerPattern = pattern });
        foreach (var text in texts) trainer.AddText(text);
        return (trainer.Train(), texts);
    }

    [Theory]
    [InlineData(BpeTrainerOptions.Qwen2Pattern)]
    [InlineData(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    public void MergesEqualTextbookBpe(string pattern)
    {
        var (bpe, texts) = Train(400, pattern);
        var expected = ReferenceBpe.Train(texts, pattern, specials: 6, vocabularySize: 400);
        Assert.Equal(expected, bpe.Merges);
        Assert.Equal(400, bpe.VocabularySize);
    }

    [Fact]
    public void SavedTokenizerLoadsWithSpecialsFirstAndRoundTrips()
    {
        var (bpe, _) = Train(380);
        var tokenizer = CodeTokenizer.Load(bpe.Save(directory));
        Assert.Equal(380, tokenizer.VocabularySize);
        string[] specials = ["<|endoftext|>", "<|mask|>", "<|pad|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>"];
        for (var id = 0; id < specials.Length; id++) Assert.Equal(id, tokenizer.SpecialTokenId(specials[id]));

        const string text = "def f(x):\r\n\treturn x<|mask|>**2  # ünïcödé ✓ 🚀 中文 e\u0301<|endoftext|>";
        var encoded = tokenizer.Encode(text);
        Assert.Equal(tokenizer.Normalize(text), tokenizer.Decode(encoded.Ids));
        Assert.Equal(text.Normalize(System.Text.NormalizationForm.FormC), tokenizer.Decode(encoded.Ids));
        Assert.Null(OffsetCheck.FindProblem(encoded.Offsets, text.Length));
        Assert.Contains(1, encoded.Ids);
        Assert.Equal(0, encoded.Ids[^1]);
    }

    [Theory]
    [InlineData(BpeTrainerOptions.Qwen2Pattern)]
    [InlineData(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    public void EncodedIdsAreWhatTheMergesImply(string pattern)
    {
        var (bpe, _) = Train(380, pattern);
        var tokenizer = CodeTokenizer.Load(bpe.Save(directory));
        var vocabulary = bpe.Tokens.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
        foreach (var text in ToyCodeCorpus.Documents(20, seed: 99).Append("class Foo(object):\n    pass\n\n\n  x =  'it''s'  \t\n"))
        {
            Assert.Equal(ReferenceBpe.Encode(text, pattern, bpe.Merges, vocabulary), tokenizer.Encode(text).Ids);
        }
    }

    [Fact]
    public void CommonWordsBecomeSingleTokens()
    {
        var (bpe, _) = Train(1000);
        var tokenizer = CodeTokenizer.Load(bpe.Save(directory));
        foreach (var word in new[] { "def", " return", " isinstance", " sorted", "    " })
        {
            Assert.Single(tokenizer.Encode(word).Ids);
        }
        // Qwen2's \s+(?!\S) leaves the last space of an indent to the word that follows.
        Assert.Equal(["       ", " return", " sorted", "\n"], tokenizer.Encode("        return sorted\n").Ids.Select(id => tokenizer.Decode([id])));
    }

    [Fact]
    public void SavedFileHasTheFixtureSchema()
    {
        var (bpe, _) = Train(300);
        var saved = JsonNode.Parse(File.ReadAllText(bpe.Save(directory)))!.AsObject();
        var fixture = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerFixtures.Directory, "tokenizer.json")))!.AsObject();
        Assert.Equal(fixture.Select(p => p.Key), saved.Select(p => p.Key));
        foreach (var key in new[] { "normalizer", "pre_tokenizer", "decoder", "post_processor", "truncation", "padding" })
        {
            Assert.True(JsonNode.DeepEquals(fixture[key], saved[key]), $"\"{key}\" differs from the fixture's");
        }
        var model = saved["model"]!.AsObject();
        var fixtureModel = fixture["model"]!.AsObject();
        Assert.Equal(fixtureModel.Select(p => p.Key), model.Select(p => p.Key));
        Assert.Equal(fixture["added_tokens"]![0]!.AsObject().Select(p => p.Key), saved["added_tokens"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal(2, model["merges"]![0]!.AsArray().Count);
    }

    [Fact]
    public void TrainingStopsEarlyWhenNoPairRepeats()
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 5000 });
        trainer.AddText("abab abab");
        var bpe = trainer.Train();
        Assert.True(bpe.VocabularySize < 5000);
        Assert.Contains(("ab", "ab"), bpe.Merges);
    }

    [Fact]
    public void SpecialTokensInTrainingTextAreNotLearned()
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 });
        for (var i = 0; i < 50; i++) trainer.AddText("<|endoftext|>");
        trainer.AddText("aa aa");
        var bpe = trainer.Train();
        Assert.DoesNotContain(bpe.Merges, m => m.Left.Contains('|') || m.Right.Contains('|'));
    }

    [Theory]
    [InlineData(262)]
    [InlineData(16385)]
    public void VocabularySizeOutOfRangeIsRefused(int size)
    {
        var error = Assert.Throws<ArgumentException>(() => new BpeTrainer(new BpeTrainerOptions { VocabularySize = size }));
        Assert.Contains(size.ToString(), error.Message);
    }

    [Fact]
    public void TrainingWithoutTextIsRefused() =>
        Assert.Throws<InvalidOperationException>(() => new BpeTrainer(new BpeTrainerOptions()).Train());
}
