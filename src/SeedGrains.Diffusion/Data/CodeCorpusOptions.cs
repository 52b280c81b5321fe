namespace SeedGrains.Diffusion.Data;

/// <summary>What to read: directories, which files, how to split, what to do with files that are not UTF-8.</summary>
public sealed record CodeCorpusOptions
{
    /// <summary>Directories searched recursively, in this order.</summary>
    public required IReadOnlyList<string> Directories { get; init; }

    /// <summary>File name patterns (Directory.EnumerateFiles syntax), e.g. "*.py".</summary>
    public IReadOnlyList<string> Patterns { get; init; } = ["*.py"];

    /// <summary>Directory names skipped wherever they occur below a corpus directory (e.g. "site-packages", "__pycache__").</summary>
    public IReadOnlyList<string> ExcludedDirectoryNames { get; init; } = ["__pycache__"];

    /// <summary>Relative directory paths ('/' separated, e.g. "lib2to3/tests") skipped below a corpus directory.</summary>
    public IReadOnlyList<string> ExcludedRelativePaths { get; init; } = [];

    /// <summary>Fraction of documents, chosen by content hash, that form the validation split.</summary>
    public double ValidationFraction { get; init; } = 0.02;

    /// <summary>Skip (and count) files that are not valid UTF-8 instead of failing on the first one.</summary>
    public bool SkipInvalid { get; init; }

    /// <summary>Stop after documents totalling this many bytes have been produced (null: no limit).</summary>
    public long? MaxBytes { get; init; }
}
