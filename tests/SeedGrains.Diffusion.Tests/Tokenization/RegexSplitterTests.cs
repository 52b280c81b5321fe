using System.Text.RegularExpressions;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Diffusion.Tests.Tokenization;

/// <summary>The Isolated split, and code-point (not UTF-16) matching like HF's regex engine.</summary>
public sealed class RegexSplitterTests
{
    private const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static List<string> Split(string pattern, string text)
    {
        var pieces = new List<(int Start, int End)>();
        new RegexSplitter(new Regex(pattern)).Split(text, 0, text.Length, pieces);
        return pieces.Select(p => text[p.Start..p.End]).ToList();
    }

    [Fact]
    public void MatchesAndGapsAreBothPieces() => Assert.Equal(["a", "-", "b", "--"], Split("[a-z]", "a-b--"));

    [Fact]
    public void QwenPatternSplitsCodeAsExpected() =>
        Assert.Equal(["def", " f", "(x", "):\n", "   ", " return", " ", "1", "2"], Split(Qwen2Pattern, "def f(x):\n    return 12"));

    [Fact]
    public void SupplementaryLettersCountAsLetters()
    {
        // U+1D400 MATHEMATICAL BOLD CAPITAL A is \p{L}: HF keeps "a𝐀b" one word; UTF-16 matching would split it in three.
        const string text = "a\U0001D400b c";
        Assert.Equal(["a\U0001D400b", " c"], Split(Qwen2Pattern, text));
    }

    [Fact]
    public void SupplementaryDigitsCountAsDigitsAndEmojiStayWhole()
    {
        Assert.Equal(["\U0001D7CE", "\U0001D7CF"], Split(Qwen2Pattern, "\U0001D7CE\U0001D7CF")); // 𝟎𝟏, one piece per digit
        Assert.Equal([" 🚀👍🏽"], Split(Qwen2Pattern, " 🚀👍🏽"));
    }
}
