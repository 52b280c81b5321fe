using System.Text;
using DiffPlex;
using DiffPlex.Model;

namespace SeedGrains.Grains.Jobs;

/// <summary>
/// One file's change as a git-style unified diff (<c>diff --git a/… b/…</c>, hunks with three lines of context), which
/// <c>git apply</c> takes. The line diff is DiffPlex's; this class only lays its blocks out as hunks.
/// </summary>
public static class UnifiedPatch
{
    public const int Context = 3;

    /// <summary>The diff of <paramref name="path"/> from <paramref name="before"/> to <paramref name="after"/>; empty when they are equal.</summary>
    public static string For(string path, string before, string after)
    {
        if (before == after) return "";
        var diff = Differ.Instance.CreateDiffs(before, after, ignoreWhiteSpace: false, ignoreCase: false, LineChunker.Instance);
        if (diff.DiffBlocks.Count == 0) return "";
        var patch = new StringBuilder();
        patch.Append("diff --git a/").Append(path).Append(" b/").Append(path).Append('\n');
        patch.Append("--- a/").Append(path).Append('\n');
        patch.Append("+++ b/").Append(path).Append('\n');
        foreach (var hunk in Hunks(diff.DiffBlocks)) WriteHunk(patch, diff, hunk);
        return patch.ToString();
    }

    /// <summary>Blocks closer than twice the context share a hunk (their context lines would touch or overlap).</summary>
    private static List<List<DiffBlock>> Hunks(IList<DiffBlock> blocks)
    {
        var hunks = new List<List<DiffBlock>>();
        foreach (var block in blocks)
        {
            if (hunks.Count > 0)
            {
                var last = hunks[^1][^1];
                if (block.DeleteStartA - (last.DeleteStartA + last.DeleteCountA) <= 2 * Context)
                {
                    hunks[^1].Add(block);
                    continue;
                }
            }
            hunks.Add([block]);
        }
        return hunks;
    }

    private static void WriteHunk(StringBuilder patch, DiffResult diff, List<DiffBlock> blocks)
    {
        var old = diff.PiecesOld;
        var @new = diff.PiecesNew;
        var first = blocks[0];
        var last = blocks[^1];
        var startA = Math.Max(0, first.DeleteStartA - Context);
        var startB = first.InsertStartB - (first.DeleteStartA - startA);
        var endA = Math.Min(old.Count, last.DeleteStartA + last.DeleteCountA + Context);
        var countA = endA - startA;
        var countB = countA - blocks.Sum(b => b.DeleteCountA) + blocks.Sum(b => b.InsertCountB);
        // An empty side is numbered by the line before it (0 at the very start), as diff(1) does.
        patch.Append("@@ -").Append(countA == 0 ? startA : startA + 1).Append(',').Append(countA)
            .Append(" +").Append(countB == 0 ? startB : startB + 1).Append(',').Append(countB).Append(" @@\n");
        var a = startA;
        foreach (var block in blocks)
        {
            for (; a < block.DeleteStartA; a++) Line(patch, ' ', old[a]);
            for (var i = 0; i < block.DeleteCountA; i++) Line(patch, '-', old[block.DeleteStartA + i]);
            for (var i = 0; i < block.InsertCountB; i++) Line(patch, '+', @new[block.InsertStartB + i]);
            a = block.DeleteStartA + block.DeleteCountA;
        }
        for (; a < endA; a++) Line(patch, ' ', old[a]);
    }

    /// <summary>A line keeps its own break; the last line of a file without one gets git's marker.</summary>
    private static void Line(StringBuilder patch, char prefix, string line)
    {
        patch.Append(prefix).Append(line);
        if (!line.EndsWith('\n')) patch.Append("\n\\ No newline at end of file\n");
    }
}
