namespace SeedGrains.Diffusion.Data;

/// <summary>Counts from one pass over a corpus.</summary>
public sealed record CorpusStatistics
{
    /// <summary>Files that matched the patterns (before deduplication and skipping).</summary>
    public int FilesFound { get; init; }

    /// <summary>Files read (a pass stopped by MaxBytes reads fewer than were found).</summary>
    public int FilesRead { get; init; }

    /// <summary>Bytes of the distinct documents produced.</summary>
    public long Bytes { get; init; }

    /// <summary>Files whose content equals an earlier file's.</summary>
    public int Duplicates { get; init; }

    /// <summary>Files skipped as not valid UTF-8 (only with SkipInvalid).</summary>
    public int SkippedInvalid { get; init; }

    /// <summary>Paths of the skipped files.</summary>
    public IReadOnlyList<string> SkippedFiles { get; init; } = [];

    public int TrainDocuments { get; init; }

    public int ValidationDocuments { get; init; }

    public long TrainBytes { get; init; }

    public long ValidationBytes { get; init; }
}
