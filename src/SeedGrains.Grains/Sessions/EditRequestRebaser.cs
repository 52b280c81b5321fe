using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>An edit request rebased onto the current version: its edits, then its regenerate ranges of the edited text.</summary>
internal sealed record RebasedEditRequest(IReadOnlyList<ReplacedRange> Edits, IReadOnlyList<TextRegion> Regenerate);

/// <summary>
/// Rebases an <see cref="EditRequest"/> from its base version through the change log (<see cref="EditRebaser"/>):
/// the edits through every change since; the regenerate ranges — which refer to the base text with the edits applied —
/// through the same changes as seen past the edits, each range on its own (as a one-range edit), so each stays one
/// region. Throws <see cref="EditConflictException"/> (another person changed an overlapping range since the base),
/// <see cref="BaseVersionTooOldException"/> (the base left the log) or <see cref="InvalidSessionRequestException"/>.
/// </summary>
internal static class EditRequestRebaser
{
    // Stands for a regenerate range while it is rebased: an edit of nothing would be dropped as a no-op.
    private const string Marker = "\u0001";

    public static RebasedEditRequest Rebase(ChangeLog log, int currentLength, EditRequest request)
    {
        var edits = Edits(request.Edits ?? []);
        var regenerate = request.Regenerate ?? [];
        if (regenerate.Any(r => r is null)) throw new InvalidSessionRequestException("regenerate items must not be null.");
        var current = log.CurrentVersion;
        if (request.BaseVersion > current)
            throw new InvalidSessionRequestException($"baseVersion {request.BaseVersion} is newer than the current version {current}.");
        if (!log.TrySince(request.BaseVersion, out var changes))
            throw new BaseVersionTooOldException(
                $"baseVersion {request.BaseVersion} has left the change log (the oldest base still accepted is {log.OldestBaseVersion}, the current version {current}); read the session again and redo the edit.",
                log.OldestBaseVersion, current);

        var rebased = Ranges(EditRebaser.Rebase(new PersonEdit(request.ClientId, request.EditId, request.BaseVersion, edits), changes, current, currentLength));
        if (regenerate.Count == 0 || changes.Count == 0)
            return new RebasedEditRequest(rebased, regenerate);

        var pastEdits = ChangesPastEdit(changes, edits, request.ClientId);
        var lengthAfterEdits = currentLength + RangeSet.LengthDelta(rebased);
        var regions = new List<TextRegion>(regenerate.Count);
        foreach (var region in regenerate)
        {
            var one = new PersonEdit(request.ClientId, null, current - pastEdits.Count, [new ReplacedRange(region.Start, region.End, Marker)]);
            var ranges = Ranges(EditRebaser.Rebase(one, pastEdits, current, lengthAfterEdits));
            regions.Add(region with { Start = ranges[0].Start, End = ranges[^1].End });
        }
        return new RebasedEditRequest(rebased, regions);
    }

    /// <summary>
    /// Whether the request was applied already: a change since its base version carries its clientId and editId (the
    /// client sent it again after losing the answer). Such a request applies nothing a second time.
    /// </summary>
    public static bool AlreadyApplied(ChangeLog log, EditRequest request) =>
        request is { ClientId: not null, EditId: not null }
        && request.BaseVersion <= log.CurrentVersion
        && log.TrySince(request.BaseVersion, out var changes)
        && changes.Any(c => c.Author == request.ClientId && c.EditId == request.EditId);

    /// <summary>The edits as a range set, sorted (an insertion before a range starting at its offset).</summary>
    private static ReplacedRange[] Edits(IReadOnlyList<TextEdit> edits)
    {
        for (var i = 0; i < edits.Count; i++)
        {
            if (edits[i] is null || edits[i].Text is null)
                throw new InvalidSessionRequestException($"edits[{i}] needs start, end and text.");
        }
        return edits.Select(e => new ReplacedRange(e.Start, e.End, e.Text)).OrderBy(r => r.Start).ThenBy(r => r.End).ToArray();
    }

    /// <summary>Each change since the base, transformed past the edit (C′): the history of the base text with the edit applied.</summary>
    private static List<TextChange> ChangesPastEdit(IReadOnlyList<TextChange> changes, IReadOnlyList<ReplacedRange> edit, string? clientId)
    {
        var result = new List<TextChange>(changes.Count);
        IReadOnlyList<ReplacedRange> ranges = edit;
        foreach (var change in changes)
        {
            var outcome = ConcurrentTransform.Transform(ranges, change.Ranges, ChangeAuthors.RelationOf(clientId, change.Author));
            ranges = outcome.Edit; // no conflict here: the edit itself was rebased through the same changes
            result.Add(change with { Ranges = outcome.Change });
        }
        return result;
    }

    private static IReadOnlyList<ReplacedRange> Ranges(RebaseResult result) => result switch
    {
        RebaseResult.Rebased r => r.Ranges,
        RebaseResult.Conflict c => throw new EditConflictException(
            $"The edit overlaps [{c.Start}, {c.End}), which {(c.ConflictingAuthor is null ? "another person" : $"'{c.ConflictingAuthor}'")} changed in version {c.ConflictingVersion}; the session is at version {c.CurrentVersion}.",
            c.Start, c.End, c.CurrentVersion, c.ConflictingVersion, c.ConflictingAuthor),
        RebaseResult.TooOld t => throw new BaseVersionTooOldException($"The base version has left the change log (oldest {t.OldestBaseVersion}).", t.OldestBaseVersion, t.CurrentVersion),
        _ => throw new InvalidOperationException("unknown rebase result"),
    };
}
