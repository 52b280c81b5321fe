using SeedGrains.Diffusion.Evaluation;

namespace SeedGrains.Diffusion.Tests.Evaluation;

public sealed class LinesTaskTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("sg-lines-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    void Write(string name, string text) => File.WriteAllText(Path.Combine(dir, name), text);

    [Fact]
    public void SpansAreOneToThreeNonBlankWholeLinesAndReassembleTheFile()
    {
        for (int f = 0; f < 8; f++)
            Write($"m{f}.py", string.Join("\n", Enumerable.Range(0, 30).Select(i => i % 5 == 4 ? "" : $"x{f}_{i} = {i}")) + "\n");
        var sample = LinesTask.Build(dir, maxFiles: 5, seed: 3, spansPerFile: 2);
        Assert.Equal(5, sample.FilesUsed);
        Assert.Equal(10, sample.Cases.Count);
        foreach (var c in sample.Cases)
        {
            var original = File.ReadAllText(Path.Combine(dir, c.File));
            Assert.Equal(original, c.Prefix + c.Middle + c.Suffix);
            Assert.True(c.Prefix.Length == 0 || c.Prefix.EndsWith('\n'));
            var lines = c.Middle.TrimEnd('\n').Split('\n');
            Assert.InRange(lines.Length, 1, 3);
            Assert.All(lines, l => Assert.False(string.IsNullOrWhiteSpace(l)));
        }
    }

    [Fact]
    public void SameSeedSameSpansOtherSeedOtherSpans()
    {
        for (int f = 0; f < 6; f++) Write($"m{f}.py", string.Join("\n", Enumerable.Range(0, 40).Select(i => $"v{i} = {f}")));
        var a = LinesTask.Build(dir, 6, seed: 1);
        var b = LinesTask.Build(dir, 6, seed: 1);
        var c = LinesTask.Build(dir, 6, seed: 2);
        Assert.Equal(a.Cases, b.Cases);
        Assert.NotEqual(a.Cases, c.Cases);
    }

    [Fact]
    public void NonUtf8FilesAreSkippedAndCounted()
    {
        File.WriteAllBytes(Path.Combine(dir, "bad.py"), [0x78, 0x20, 0xff, 0xfe, 0x0a, 0x79]);
        Write("good.py", "a = 1\nb = 2\n");
        var sample = LinesTask.Build(dir, 10, seed: 1);
        Assert.Equal(1, sample.FilesUsed);
        Assert.Equal(1, sample.FilesSkipped);
    }

    [Fact]
    public void ExactMatchIgnoresTrailingWhitespaceOnlyAtLineEnds()
    {
        Assert.True(LinesTask.ExactMatch("x = 1  \ny = 2\n", "x = 1\ny = 2"));
        Assert.False(LinesTask.ExactMatch("x = 1\n", "x =  1\n"));
        Assert.False(LinesTask.ExactMatch("    x = 1\n", "x = 1\n"));
    }

    [Fact]
    public void EditSimilarityIsOneMinusTheNormalizedLevenshteinDistance()
    {
        // Normalized like exact match: trailing whitespace and empty trailing lines do not count.
        Assert.Equal(1.0, LinesTask.EditSimilarity("x = 1  \ny = 2\n\n", "x = 1\ny = 2"));
        Assert.Equal(1.0, LinesTask.EditSimilarity("", "\n"));
        // "return a" vs "return b": one substitution in 8 characters.
        Assert.Equal(1 - 1 / 8.0, LinesTask.EditSimilarity("return a", "return b"), 12);
        // Nothing emitted: every character is an insertion.
        Assert.Equal(0.0, LinesTask.EditSimilarity("pass", ""));
        // Divided by the longer text: "ab" vs "abcd" is two insertions over 4.
        Assert.Equal(0.5, LinesTask.EditSimilarity("ab", "abcd"), 12);
    }

    [Fact]
    public void MissingOrEmptyDirectoryIsAClearError()
    {
        Assert.Throws<DirectoryNotFoundException>(() => LinesTask.Build(Path.Combine(dir, "nope"), 1, 1));
        Assert.Contains("no *.py files", Assert.Throws<InvalidDataException>(() => LinesTask.Build(dir, 1, 1)).Message);
    }
}
