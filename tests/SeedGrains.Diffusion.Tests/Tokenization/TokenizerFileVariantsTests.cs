using System.Text.Json.Nodes;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Diffusion.Tests.Tokenization;

/// <summary>Other spellings of tokenizer.json that must load the same, and features that must be refused by name.</summary>
public sealed class TokenizerFileVariantsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("seedgrains-tok-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static JsonObject FixtureJson() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerFixtures.Directory, "tokenizer.json")))!.AsObject();

    private string Save(JsonObject json, string name = "tokenizer.json")
    {
        var file = Path.Combine(directory, name);
        File.WriteAllText(file, json.ToJsonString());
        return file;
    }

    private static readonly string[] Samples =
    [
        "def f(x):\r\n\treturn x**2  # ünïcödé ✓ 🚀\n",
        "don't won't it's I'M 12345 3.14159 0x1F",
        "x<|mask|>y <|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>",
    ];

    [Fact]
    public void OldStyleStringMergesGiveTheSameIds()
    {
        var json = FixtureJson();
        var merges = json["model"]!["merges"]!.AsArray();
        var asStrings = new JsonArray(merges.Select(m => (JsonNode)JsonValue.Create($"{m![0]} {m[1]}")!).ToArray());
        json["model"]!["merges"] = asStrings;
        var tokenizer = CodeTokenizer.Load(Save(json));
        foreach (var sample in Samples)
        {
            Assert.Equal(TokenizerFixtures.Tokenizer.Encode(sample).Ids, tokenizer.Encode(sample).Ids);
        }
    }

    [Fact]
    public void NormalizerSequenceOfNfcIsTheSameAsNfc()
    {
        var json = FixtureJson();
        json["normalizer"] = JsonNode.Parse("""{"type": "Sequence", "normalizers": [{"type": "NFC"}]}""");
        var tokenizer = CodeTokenizer.Load(Save(json));
        Assert.Equal(TokenizerFixtures.Tokenizer.Encode("é vs e\u0301").Ids, tokenizer.Encode("é vs e\u0301").Ids);
    }

    [Fact]
    public void WithoutANormalizerTheDecomposedAccentStaysDecomposed()
    {
        var json = FixtureJson();
        json["normalizer"] = null;
        var tokenizer = CodeTokenizer.Load(Save(json));
        const string text = "e\u0301";
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text).Ids));
        Assert.NotEqual(TokenizerFixtures.Tokenizer.Encode(text).Ids, tokenizer.Encode(text).Ids);
    }

    [Fact]
    public void TemplatePostProcessorWrapsTheSequence()
    {
        var json = FixtureJson();
        json["post_processor"] = JsonNode.Parse("""
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|fim_prefix|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
             "pair": [], "special_tokens": {"<|fim_prefix|>": {"id": "<|fim_prefix|>", "ids": [2], "tokens": ["<|fim_prefix|>"]},
                                             "<|endoftext|>": {"id": "<|endoftext|>", "ids": [0], "tokens": ["<|endoftext|>"]}}}
            """);
        var tokenizer = CodeTokenizer.Load(Save(json));
        var encoded = tokenizer.Encode("abc");
        Assert.Equal(2, encoded.Ids[0]);
        Assert.Equal(0, encoded.Ids[^1]);
        Assert.Equal((0, 0), encoded.Offsets[0]);
        Assert.Equal((3, 3), encoded.Offsets[^1]);
        Assert.Null(OffsetCheck.FindProblem(encoded.Offsets, 3));
    }

    [Fact]
    public void Gpt2StyleByteLevelRegexIsUsedWhenUseRegexIsTrue()
    {
        var json = FixtureJson();
        json["pre_tokenizer"] = JsonNode.Parse("""{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}""");
        var tokenizer = CodeTokenizer.Load(Save(json));
        // Qwen2's regex lets one punctuation char lead a word and keeps "):\n" together; GPT-2's splits both.
        const string text = "def f(x):\n    return self.x\n";
        var qwen = TokenizerFixtures.Tokenizer.Encode(text).Ids;
        var gpt2 = tokenizer.Encode(text).Ids;
        Assert.NotEqual(qwen, gpt2);
        Assert.Equal(text, tokenizer.Decode(gpt2));
    }

    [Theory]
    [InlineData("model", """{"type": "WordPiece", "vocab": {}}""", "model.type \"WordPiece\"")]
    [InlineData("normalizer", """{"type": "Lowercase"}""", "normalizer type \"Lowercase\"")]
    [InlineData("normalizer", """{"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Replace"}]}""", "normalizer.normalizers[1] type \"Replace\"")]
    [InlineData("pre_tokenizer", """{"type": "Metaspace"}""", "pre_tokenizer type \"Metaspace\"")]
    [InlineData("pre_tokenizer", """{"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed", "invert": false}""", "pre_tokenizer (Split) behavior \"Removed\"")]
    [InlineData("pre_tokenizer", """{"type": "ByteLevel", "add_prefix_space": true, "use_regex": true}""", "add_prefix_space")]
    [InlineData("pre_tokenizer", """{"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Isolated", "invert": false}""", "no ByteLevel step")]
    [InlineData("pre_tokenizer", """{"type": "Split", "pattern": {"Regex": "(?<"}, "behavior": "Isolated", "invert": false}""", "does not compile")]
    [InlineData("decoder", """{"type": "WordPiece"}""", "decoder type \"WordPiece\"")]
    [InlineData("post_processor", """{"type": "BertProcessing"}""", "post_processor type \"BertProcessing\"")]
    [InlineData("truncation", """{"max_length": 8}""", "truncation")]
    public void UnsupportedFeaturesAreRefusedByName(string field, string value, string expectedInMessage)
    {
        var json = FixtureJson();
        json[field] = JsonNode.Parse(value);
        var file = Save(json);
        var error = Assert.Throws<TokenizerFormatException>(() => CodeTokenizer.Load(file));
        Assert.Contains(expectedInMessage, error.Message);
        Assert.Contains(file, error.Message);
    }

    [Fact]
    public void AMergeOutsideTheVocabularyIsRefused()
    {
        var json = FixtureJson();
        json["model"]!["merges"]!.AsArray().Add(new JsonArray("Ġ", "zzzq"));
        var error = Assert.Throws<TokenizerFormatException>(() => CodeTokenizer.Load(Save(json)));
        Assert.Contains("zzzq", error.Message);
    }

    [Fact]
    public void InvalidJsonIsRefusedNamingTheFile()
    {
        var file = Path.Combine(directory, "broken.json");
        File.WriteAllText(file, "{\"model\": ");
        var error = Assert.Throws<TokenizerFormatException>(() => CodeTokenizer.Load(file));
        Assert.Contains(file, error.Message);
    }

    [Fact]
    public void ADirectoryWithoutTokenizerJsonIsRefused()
    {
        var error = Assert.Throws<FileNotFoundException>(() => CodeTokenizer.Load(directory));
        Assert.Contains("no tokenizer.json", error.Message);
    }
}
