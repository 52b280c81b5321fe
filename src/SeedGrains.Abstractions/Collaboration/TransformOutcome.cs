namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// The result of transforming an edit E and a concurrent change C (both ranges of one text T) past each other:
/// <see cref="Edit"/> is E for the text C(T), <see cref="Change"/> is C for the text E(T), and
/// E'(C(T)) == C'(E(T)). Or a conflict: <see cref="ConflictingRange"/> is the index of C's first range that the edit
/// overlaps (then both lists are empty).
/// </summary>
public sealed record TransformOutcome(IReadOnlyList<ReplacedRange> Edit, IReadOnlyList<ReplacedRange> Change, int? ConflictingRange)
{
    public bool IsConflict => ConflictingRange is not null;

    internal static TransformOutcome Conflict(int changeRange) => new([], [], changeRange);
}
