using System.Collections.Concurrent;
using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>What the audit makes of the 409 "Edit conflict" answers.</summary>
/// <param name="Overlaps">The edit, rebased through the history the observer saw, does overlap another person's change of the version the server named.</param>
/// <param name="NotOverlaps">It does not (or overlaps a different version): a conflict for some other reason.</param>
/// <param name="Unverifiable">The observer's history did not cover the edit's versions (it resynchronised).</param>
/// <param name="WithRearm">Of <paramref name="Overlaps"/>: the other change was the benchmark's own regenerate that keeps the model busy.</param>
internal sealed record ConflictVerdicts(int Overlaps, int NotOverlaps, int Unverifiable, int WithRearm);

/// <summary>
/// Checks that every 409 "Edit conflict" was a true overlap: after the run, each rejected edit is rebased again, on
/// the client side, through the changes between its base and the version the server was at (from the observer's
/// stream) with the same <see cref="EditRebaser"/> the client library's transform is built on; it must conflict, and
/// with the change the server named.
/// </summary>
internal sealed class ConflictAudit
{
    private readonly ConcurrentQueue<(PersonEdit Edit, EditAnswer Answer)> _conflicts = new();

    public void Conflicted(PersonEdit edit, EditAnswer answer) => _conflicts.Enqueue((edit, answer));

    public ConflictVerdicts Verify(SessionObserver observer, string rearmClientId)
    {
        int overlaps = 0, notOverlaps = 0, unverifiable = 0, withRearm = 0;
        foreach (var (edit, answer) in _conflicts)
        {
            if (answer.CurrentVersion is not { } current || observer.History(edit.BaseVersion, current) is not { } history)
            {
                unverifiable++;
                continue;
            }
            var result = EditRebaser.Rebase(edit, history.Changes, current, history.Length);
            if (result is RebaseResult.Conflict conflict && conflict.ConflictingVersion == answer.ConflictingVersion)
            {
                overlaps++;
                if (conflict.ConflictingAuthor == rearmClientId) withRearm++;
            }
            else
            {
                notOverlaps++;
            }
        }
        return new ConflictVerdicts(overlaps, notOverlaps, unverifiable, withRearm);
    }
}
