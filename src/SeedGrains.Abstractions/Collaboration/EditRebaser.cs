using SeedGrains.Abstractions.Errors;

namespace SeedGrains.Abstractions.Collaboration;

/// <summary>The server's side of the transform: a person's edit, through every change since its base, in order.</summary>
public static class EditRebaser
{
    /// <param name="changesSince">The changes after the edit's base version, oldest first, ending at the current version.</param>
    /// <param name="currentLength">The current text's length (the base text's length follows from the changes).</param>
    /// <exception cref="InvalidSessionRequestException">The edit is malformed: a bad range, a future base version, or clientId "model".</exception>
    public static RebaseResult Rebase(PersonEdit edit, IReadOnlyList<TextChange> changesSince, long currentVersion, int currentLength)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (ChangeAuthors.IsModel(edit.ClientId))
            throw new InvalidSessionRequestException($"clientId '{ChangeAuthors.Model}' is reserved for the model.");
        if (edit.BaseVersion > currentVersion)
            throw new InvalidSessionRequestException($"Base version {edit.BaseVersion} is newer than the current version {currentVersion}.");
        if (edit.BaseVersion + changesSince.Count != currentVersion)
            throw new ArgumentException($"{changesSince.Count} changes do not lead from version {edit.BaseVersion} to {currentVersion}.", nameof(changesSince));
        var baseLength = currentLength - changesSince.Sum(c => c.LengthDelta);
        RangeSet.Validate(edit.Ranges, baseLength);

        var ranges = RangeSet.WithoutNoOps(edit.Ranges);
        for (var k = 0; k < changesSince.Count; k++)
        {
            var change = changesSince[k];
            var outcome = ConcurrentTransform.Transform(ranges, change.Ranges, ChangeAuthors.RelationOf(edit.ClientId, change.Author));
            if (outcome.ConflictingRange is { } conflicting)
                return ConflictWith(change, conflicting, changesSince.Skip(k + 1), currentVersion);
            ranges = outcome.Edit;
        }
        return new RebaseResult.Rebased(ranges);
    }

    /// <summary>Where the other person's new text stands now: its span in its own version, followed to the current one.</summary>
    private static RebaseResult.Conflict ConflictWith(TextChange change, int rangeIndex, IEnumerable<TextChange> later, long currentVersion)
    {
        var changeRanges = change.Ranges;
        var start = changeRanges[rangeIndex].Start + RangeSet.LengthDelta(changeRanges.Take(rangeIndex).ToArray());
        var end = start + changeRanges[rangeIndex].Text.Length;
        foreach (var next in later)
            (start, end) = RangeMapper.Map(start, end, next.Ranges);
        return new RebaseResult.Conflict(start, end, currentVersion, change.Version, change.Author);
    }
}
