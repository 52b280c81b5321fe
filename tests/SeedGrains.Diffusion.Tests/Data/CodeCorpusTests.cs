using System.Text;
using SeedGrains.Diffusion.Data;

namespace SeedGrains.Diffusion.Tests.Data;

/// <summary>CodeCorpus on toy directories: order, dedup, stable split, and every error case.</summary>
public sealed class CodeCorpusTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("seedgrains-corpus-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string relative, string text) => WriteBytes(relative, Encoding.UTF8.GetBytes(text));

    private string WriteBytes(string relative, byte[] bytes)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private CodeCorpus Corpus(Func<CodeCorpusOptions, CodeCorpusOptions>? configure = null)
    {
        var options = new CodeCorpusOptions { Directories = [root] };
        return new CodeCorpus(configure is null ? options : configure(options));
    }

    [Fact]
    public void ReadsMatchingFilesInOrdinalOrderAndDropsDuplicates()
    {
        Write("b.py", "print('b')\n");
        Write("a.py", "print('a')\n");
        Write("pkg/c.py", "print('a')\n"); // same content as a.py
        Write("notes.txt", "not python");
        Write("__pycache__/x.py", "cached");
        var corpus = Corpus(o => o with { ValidationFraction = 0 });
        var documents = corpus.Documents().ToList();
        Assert.Equal(["a.py", "b.py"], documents.Select(d => d.RelativePath));
        Assert.Equal("print('a')\n", documents[0].Text);
        var stats = corpus.Statistics!;
        Assert.Equal((3, 3, 1, 2), (stats.FilesFound, stats.FilesRead, stats.Duplicates, stats.TrainDocuments));
        Assert.Equal(22, stats.Bytes);
    }

    [Fact]
    public void PatternsAndExclusionsAreConfigurable()
    {
        Write("a.py", "a");
        Write("b.pyi", "b");
        Write("site-packages/c.py", "c");
        Write("lib2to3/tests/d.py", "d");
        Write("lib2to3/e.py", "e");
        var corpus = Corpus(o => o with
        {
            Patterns = ["*.py", "*.pyi"],
            ExcludedDirectoryNames = ["site-packages"],
            ExcludedRelativePaths = ["lib2to3/tests"],
        });
        Assert.Equal(["a.py", "b.pyi", "lib2to3/e.py"], corpus.Documents().Select(d => d.RelativePath));
    }

    [Fact]
    public void SplitDependsOnlyOnContentAndHoldsTheFraction()
    {
        for (var i = 0; i < 400; i++) Write($"f{i:D3}.py", $"x = {i}\n");
        var corpus = Corpus(o => o with { ValidationFraction = 0.1 });
        var first = corpus.Documents().ToDictionary(d => d.Text, d => d.Split);
        var validation = first.Values.Count(s => s == CorpusSplit.Validation);
        Assert.InRange(validation, 20, 60); // 10 % of 400, binomial sd 6

        // Rename every file and add others: each text keeps its side.
        Directory.Delete(root, recursive: true);
        for (var i = 0; i < 400; i++) Write($"renamed/{399 - i:D3}_{i}.py", $"x = {i}\n");
        for (var i = 0; i < 50; i++) Write($"extra{i}.py", $"y = {i}\n");
        var second = Corpus(o => o with { ValidationFraction = 0.1 }).Documents().ToList();
        foreach (var document in second.Where(d => first.ContainsKey(d.Text)))
        {
            Assert.Equal(first[document.Text], document.Split);
        }
        var onlyValidation = Corpus(o => o with { ValidationFraction = 0.1 }).Documents(CorpusSplit.Validation).ToList();
        Assert.All(onlyValidation, d => Assert.Equal(CorpusSplit.Validation, d.Split));
        Assert.Equal(second.Count(d => d.Split == CorpusSplit.Validation), onlyValidation.Count);
    }

    [Fact]
    public void NonUtf8FileIsAnErrorNamingIt()
    {
        Write("good.py", "ok");
        var bad = WriteBytes("bad.py", [0x61, 0xFF, 0x62]);
        var error = Assert.Throws<CorpusException>(() => Corpus().Documents().ToList());
        Assert.Contains(bad, error.Message);
        Assert.Contains("UTF-8", error.Message);
    }

    [Fact]
    public void NonUtf8FileIsCountedWhenSkipping()
    {
        Write("good.py", "ok");
        var bad = WriteBytes("bad.py", [0xC3, 0x28]);
        var corpus = Corpus(o => o with { SkipInvalid = true });
        Assert.Equal(["good.py"], corpus.Documents().Select(d => d.RelativePath));
        Assert.Equal(1, corpus.Statistics!.SkippedInvalid);
        Assert.Equal([bad], corpus.Statistics.SkippedFiles);
    }

    [Fact]
    public void ByteOrderMarkIsRemoved()
    {
        WriteBytes("bom.py", [0xEF, 0xBB, 0xBF, (byte)'x']);
        Assert.Equal("x", Corpus().Documents().Single().Text);
    }

    [Fact]
    public void UnreadableFileIsAnErrorNamingIt()
    {
        Write("a.py", "a");
        var dangling = Path.Combine(root, "dangling.py");
        File.CreateSymbolicLink(dangling, Path.Combine(root, "missing-target.py"));
        var error = Assert.Throws<CorpusException>(() => Corpus().Documents().ToList());
        Assert.Contains(dangling, error.Message);
    }

    [Fact]
    public void MissingDirectoryIsAnError()
    {
        var missing = Path.Combine(root, "nope");
        var error = Assert.Throws<CorpusException>(() => new CodeCorpus(new CodeCorpusOptions { Directories = [missing] }));
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void DirectoryWithoutMatchingFilesIsAnEmptyCorpusError()
    {
        Write("readme.md", "# hi");
        var error = Assert.Throws<CorpusException>(() => Corpus());
        Assert.Contains("Empty corpus", error.Message);
        Assert.Contains("*.py", error.Message);
    }

    [Fact]
    public void CorpusOfOnlySkippedFilesIsAnEmptyCorpusError()
    {
        WriteBytes("bad.py", [0xFF]);
        var error = Assert.Throws<CorpusException>(() => Corpus(o => o with { SkipInvalid = true }).Documents().ToList());
        Assert.Contains("Empty corpus", error.Message);
    }

    [Fact]
    public void MaxBytesStopsTheStreamEarly()
    {
        for (var i = 0; i < 10; i++) Write($"f{i}.py", new string('x', 100) + i);
        var corpus = Corpus(o => o with { MaxBytes = 250 });
        Assert.Equal(3, corpus.Documents().Count());
        Assert.Equal(3, corpus.Statistics!.FilesRead);
        Assert.Equal(10, corpus.Statistics.FilesFound);
    }

    [Fact]
    public void SeveralDirectoriesAreReadInTheGivenOrder()
    {
        Write("z/one.py", "1");
        Write("a/two.py", "2");
        var corpus = new CodeCorpus(new CodeCorpusOptions { Directories = [Path.Combine(root, "z"), Path.Combine(root, "a")] });
        Assert.Equal(["1", "2"], corpus.Documents().Select(d => d.Text));
    }
}
