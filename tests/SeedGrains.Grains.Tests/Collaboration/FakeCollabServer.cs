using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Tests.Collaboration;

/// <summary>
/// The server side of the convergence simulation: one text, its change log, the rebase, and a fake model that fills
/// '#' placeholders with letters or opens new runs of them. Records which original characters people replaced and
/// which markers they inserted, for the final checks.
/// </summary>
internal sealed class FakeCollabServer(string text, ChangeLog log)
{
    public const char Placeholder = '#';

    public string Text { get; private set; } = text;

    public long Version => log.CurrentVersion;

    public HashSet<char> AcceptedMarkers { get; } = [];

    /// <summary>Original characters that an accepted person's range covered (so they may be gone).</summary>
    public HashSet<char> TouchedOriginals { get; } = [];

    public int Conflicts { get; private set; }

    public int TooOld { get; private set; }

    public int StaleAccepted { get; private set; }

    public int ModelChanges { get; private set; }

    /// <summary>The change to broadcast, or null when the edit is refused (the client gets a 409).</summary>
    public TextChange? Submit(PersonEdit edit)
    {
        var result = log.Rebase(edit, Text.Length);
        switch (result)
        {
            case RebaseResult.Rebased rebased:
                if (edit.BaseVersion < Version)
                    StaleAccepted++;
                foreach (var r in rebased.Ranges)
                {
                    TouchedOriginals.UnionWith(Text[r.Start..r.End].Where(Alphabet.IsOriginal));
                    AcceptedMarkers.UnionWith(r.Text.Where(Alphabet.IsMarker));
                }
                return Commit(new TextChange(Version + 1, edit.ClientId, rebased.Ranges, edit.EditId));
            case RebaseResult.Conflict conflict:
                Assert.InRange(conflict.Start, 0, Text.Length);
                Assert.InRange(conflict.End, conflict.Start, Text.Length);
                Conflicts++;
                return null;
            default:
                TooOld++;
                return null;
        }
    }

    /// <summary>Fills some placeholders (each with 0–2 letters), or opens a new run of them at a random point.</summary>
    public TextChange ModelStep(Random random)
    {
        var placeholders = Enumerable.Range(0, Text.Length).Where(p => Text[p] == Placeholder).ToList();
        List<ReplacedRange> ranges;
        if (placeholders.Count == 0 || random.Next(5) == 0)
        {
            var at = random.Next(Text.Length + 1);
            ranges = [new ReplacedRange(at, at, new string(Placeholder, random.Next(1, 4)))];
        }
        else
        {
            ranges = placeholders.Where(_ => random.Next(3) == 0).DefaultIfEmpty(placeholders[0])
                .Select(p => new ReplacedRange(p, p + 1, new string((char)('a' + random.Next(26)), random.Next(3))))
                .ToList();
        }
        ModelChanges++;
        return Commit(new TextChange(Version + 1, ChangeAuthors.Model, ranges));
    }

    private TextChange Commit(TextChange change)
    {
        Text = change.Apply(Text);
        log.Append(change);
        return change;
    }
}
