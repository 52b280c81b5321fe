using SeedGrains.Diffusion.Training;

namespace SeedGrains.Diffusion.Tests.Training;

public sealed class TokenFileTests
{
    [Theory]
    [InlineData(8192)]
    [InlineData(100_000)]
    public void WritesDocumentsWithEndTokensAndReadsAnyWindow(int vocabSize)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sg-tokens-{Guid.NewGuid():N}.bin");
        try
        {
            int big = Math.Min(vocabSize - 1, 70_000);
            var docs = new[] { new[] { 5, 6, 7 }, new[] { big }, Array.Empty<int>() };
            Assert.Equal(7, TokenFile.Write(path, docs, endToken: 0, vocabSize));
            using var file = TokenFile.Open(path);
            Assert.Equal(7, file.Count);
            var all = new int[7];
            file.Read(0, all);
            Assert.Equal(new[] { 5, 6, 7, 0, big, 0, 0 }, all);
            var window = new int[2];
            file.Read(3, window);
            Assert.Equal(new[] { 0, big }, window);
            Assert.Throws<ArgumentOutOfRangeException>(() => file.Read(6, window));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void RejectsAFileThatIsNotATokenFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not tokens at all");
            var e = Assert.Throws<InvalidDataException>(() => TokenFile.Open(path));
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }
}
