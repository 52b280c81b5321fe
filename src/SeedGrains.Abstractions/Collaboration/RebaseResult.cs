namespace SeedGrains.Abstractions.Collaboration;

/// <summary>What became of a person's edit rebased onto the current version: one of the three nested kinds.</summary>
public abstract record RebaseResult
{
    private RebaseResult() { }

    /// <summary>The edit's ranges in the current version's text, ready to apply (may be empty: nothing left to change).</summary>
    public sealed record Rebased(IReadOnlyList<ReplacedRange> Ranges) : RebaseResult
    {
        public bool Equals(Rebased? other) => other is not null && Ranges.SequenceEqual(other.Ranges);

        public override int GetHashCode() => Ranges.Count;
    }

    /// <summary>
    /// The edit overlaps what another person changed since its base version: [<paramref name="Start"/>,
    /// <paramref name="End"/>) is where that person's new text stands in the text of <paramref name="CurrentVersion"/>.
    /// </summary>
    /// <param name="ConflictingVersion">The version the other person's change produced.</param>
    public sealed record Conflict(int Start, int End, long CurrentVersion, long ConflictingVersion, string? ConflictingAuthor) : RebaseResult;

    /// <summary>The base version has left the change log: only bases from <paramref name="OldestBaseVersion"/> on can be rebased.</summary>
    public sealed record TooOld(long OldestBaseVersion, long CurrentVersion) : RebaseResult;
}
