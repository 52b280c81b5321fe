using System.Text;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Diffusion.Tests.Tokenization;

/// <summary>Specials, vocabulary size and the offsets of awkward characters on the fixture tokenizer.</summary>
public sealed class CodeTokenizerTests
{
    private static CodeTokenizer Tokenizer => TokenizerFixtures.Tokenizer;

    [Fact]
    public void VocabularySizeAndSpecialIdsComeFromTheFile()
    {
        Assert.Equal(4096, Tokenizer.VocabularySize);
        Assert.Equal(0, Tokenizer.SpecialTokenId("<|endoftext|>"));
        Assert.Equal(1, Tokenizer.SpecialTokenId("<|mask|>"));
        Assert.Equal(5, Tokenizer.SpecialTokenId("<|fim_pad|>"));
        Assert.Null(Tokenizer.SpecialTokenId("<|pad|>"));
    }

    [Fact]
    public void SpecialTokensInsideTextAreSingleIdsWithTheirOwnRange()
    {
        const string text = "x<|mask|>y";
        var encoded = Tokenizer.Encode(text);
        var mask = Array.IndexOf(encoded.Ids, 1);
        Assert.True(mask > 0);
        Assert.Equal((1, 9), encoded.Offsets[mask]);
        Assert.Equal(text, Tokenizer.Decode(encoded.Ids));
    }

    [Fact]
    public void VerbatimEncodingSpellsSpecialTokenTextWithOrdinaryTokens()
    {
        const string text = "EOS = \"<|endoftext|>\"  # and <|mask|>, <|fim_prefix|>\n";
        var verbatim = Tokenizer.EncodeVerbatim(text);
        Assert.All(verbatim.Ids, id => Assert.True(id > 5, $"special id {id} from document text"));
        Assert.Equal(text, Tokenizer.Decode(verbatim.Ids));
        Assert.Equal(text.Length, verbatim.Offsets[^1].End);
        Assert.Contains(0, Tokenizer.Encode(text).Ids); // Hugging Face's encode does parse them
        Assert.Equal(Tokenizer.Encode("def f():\n    return 1\n").Ids, Tokenizer.EncodeVerbatim("def f():\n    return 1\n").Ids);
    }

    [Fact]
    public void APartialSpecialIsOrdinaryText()
    {
        var encoded = Tokenizer.Encode("<|mask|");
        Assert.DoesNotContain(1, encoded.Ids);
        Assert.Equal("<|mask|", Tokenizer.Decode(encoded.Ids));
    }

    [Fact]
    public void EmptyTextHasNoTokens()
    {
        var encoded = Tokenizer.Encode("");
        Assert.Empty(encoded.Ids);
        Assert.Empty(encoded.Offsets);
        Assert.Equal("", Tokenizer.Decode([]));
    }

    [Fact]
    public void EmojiBytesSplitOverTokensBelongToTheTokenWithTheLastByte()
    {
        const string text = "a 🚀"; // bytes: a=0, space=1, rocket=2..5; chars: rocket = 2..3 (a surrogate pair)
        var encoded = Tokenizer.Encode(text);
        Assert.Null(OffsetCheck.FindProblem(encoded.Offsets, text.Length));
        var byteEnd = 0;
        var rocketTokens = 0;
        for (var i = 0; i < encoded.Ids.Length; i++)
        {
            var byteStart = byteEnd;
            byteEnd += Tokenizer.BytesOf(encoded.Ids[i]).Length;
            if (byteEnd <= 2) continue;
            rocketTokens++;
            // Only the token holding the rocket's last byte owns it; the others are empty at its start.
            Assert.Equal(byteEnd == 6 ? 4 : 2, encoded.Offsets[i].End);
            if (byteStart >= 2 && byteEnd < 6) Assert.Equal((2, 2), encoded.Offsets[i]);
        }
        Assert.Equal(6, byteEnd);
        Assert.True(rocketTokens >= 2, "the fixture's 4k vocabulary should split the rocket's 4 bytes");
    }

    [Fact]
    public void CrLfOffsetsCoverBothCharacters()
    {
        const string text = "a\r\nb";
        var encoded = Tokenizer.Encode(text);
        Assert.Null(OffsetCheck.FindProblem(encoded.Offsets, text.Length));
        var joined = string.Concat(encoded.Offsets.Select(o => text[o.Start..o.End]));
        Assert.Equal(text, joined);
        Assert.Equal(text, Tokenizer.Decode(encoded.Ids));
    }

    [Fact]
    public void DecomposedAccentMapsToItsTwoOriginalCharacters()
    {
        const string text = "caf" + "e\u0301" + "!";
        var encoded = Tokenizer.Encode(text);
        Assert.Null(OffsetCheck.FindProblem(encoded.Offsets, text.Length));
        Assert.Equal("café!", Tokenizer.Decode(encoded.Ids));
        Assert.Equal(Tokenizer.Encode("café!").Ids, encoded.Ids);
        // The token completing "é" covers both original characters e + U+0301, never just one of them.
        Assert.DoesNotContain(encoded.Offsets, o => o.End == 4);
        Assert.Contains(encoded.Offsets, o => o.End == 5);
    }

    [Fact]
    public void MultiByteOffsetsAgreeWithTheBytesEachTokenCompletes()
    {
        const string text = "def f():\r\n\treturn '中文' + \"ünï\" # ✓ 🚀👍🏽<|endoftext|>";
        var encoded = Tokenizer.Encode(text);
        Assert.Null(OffsetCheck.FindProblem(encoded.Offsets, text.Length));
        var completed = TokenizerFixtures.TextCompletedByEachToken(Tokenizer, encoded.Ids);
        for (var i = 0; i < encoded.Ids.Length; i++)
        {
            Assert.Equal(text[encoded.Offsets[i].Start..encoded.Offsets[i].End], completed[i]);
        }
        Assert.Equal(text, Tokenizer.Decode(encoded.Ids));
    }

    [Fact]
    public void DecodeRejectsAnUnknownId()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([5, 4096]));
        Assert.Contains("4096", error.Message);
    }

    [Fact]
    public void LoadAcceptsTheFileItselfAndRejectsAMissingPath()
    {
        var byFile = CodeTokenizer.Load(Path.Combine(TokenizerFixtures.Directory, "tokenizer.json"));
        Assert.Equal(Tokenizer.Encode("import os\n").Ids, byFile.Encode("import os\n").Ids);
        var missing = Path.Combine(Path.GetTempPath(), "no-such-tokenizer-" + Guid.NewGuid());
        var error = Assert.Throws<FileNotFoundException>(() => CodeTokenizer.Load(missing));
        Assert.Contains(missing, error.Message);
    }
}
