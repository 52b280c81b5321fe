namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// How much of its history a session keeps for rebasing. An entry stays while it is among the newest
/// <see cref="MinVersions"/> <b>or</b> younger than <see cref="MinAge"/> (whichever keeps more), unless a hard cap
/// forces it out: never more than <see cref="MaxEntries"/> entries nor about <see cref="MaxBytes"/> of changes, so a
/// session's memory stays bounded however fast its text changes. With the defaults the log holds at most
/// 50,000 changes / 16 MiB: ten minutes of a model committing ~80 steps a second, and much more of typing.
/// </summary>
public sealed record ChangeLogLimits
{
    public static ChangeLogLimits Default { get; } = new();

    public int MinVersions { get; init; } = 1000;

    public TimeSpan MinAge { get; init; } = TimeSpan.FromMinutes(10);

    public int MaxEntries { get; init; } = 50_000;

    /// <summary>Compared with the sum of <see cref="TextChange.EstimatedBytes"/>.</summary>
    public long MaxBytes { get; init; } = 16L * 1024 * 1024;

    public void Validate()
    {
        if (MinVersions < 0 || MinAge < TimeSpan.Zero)
            throw new ArgumentException("The change log's minimum retention must not be negative.");
        if (MaxEntries < MinVersions || MaxEntries < 1)
            throw new ArgumentException($"The change log's MaxEntries ({MaxEntries}) must be at least 1 and at least MinVersions ({MinVersions}).");
        if (MaxBytes < 1)
            throw new ArgumentException("The change log's MaxBytes must be positive.");
    }
}
