using DiffPlex;
using DiffPlex.Chunkers;
using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The exact change between two renderings of the same regions (a model step, masks dropped on cancel): a character
/// diff per region, in which each mask placeholder counts as one symbol of its own (its token index) — so a mask is
/// replaced whole, a mask that is still there matches itself, and a person's edit elsewhere in the region is never
/// covered by one coarse range.
/// </summary>
internal static class RegionDiff
{
    // Masks become private-use characters, one per token index.
    private const char FirstSymbol = '\uE000';
    private const char LastSymbol = '\uF8FF';

    /// <param name="before">The regions before, with their starts in the old text.</param>
    /// <param name="after">The same regions (same order and count) after; their starts are ignored.</param>
    /// <returns>Ranges of the old text, sorted: applied to it they give the new text (fixed text is unchanged).</returns>
    public static IReadOnlyList<ReplacedRange> Ranges(IReadOnlyList<RegionText> before, IReadOnlyList<RegionText> after)
    {
        if (before.Count != after.Count)
            throw new ArgumentException($"{before.Count} regions before, {after.Count} after: a diff needs the same regions.", nameof(after));
        var ranges = new List<ReplacedRange>();
        for (var i = 0; i < before.Count; i++)
            AddRegion(before[i], after[i], ranges);
        return ranges;
    }

    private static void AddRegion(RegionText before, RegionText after, List<ReplacedRange> ranges)
    {
        // A document that itself holds such characters (or a huge region) is diffed as plain text: a mask must never equal a character.
        var symbolic = before.Pieces.Concat(after.Pieces).All(p => p.IsMask ? p.Token <= LastSymbol - FirstSymbol : !p.Text.Any(IsSymbol));
        var (oldCompact, oldMap, oldText) = Compact(before.Pieces, symbolic);
        var (newCompact, newMap, newText) = Compact(after.Pieces, symbolic);
        if (oldText == newText) return;
        var diff = Differ.Instance.CreateDiffs(oldCompact, newCompact, ignoreWhiteSpace: false, ignoreCase: false, CharacterChunker.Instance);
        foreach (var block in diff.DiffBlocks)
        {
            var start = oldMap[block.DeleteStartA];
            var end = oldMap[block.DeleteStartA + block.DeleteCountA];
            var insertFrom = newMap[block.InsertStartB];
            var insertTo = newMap[block.InsertStartB + block.InsertCountB];
            ranges.Add(new ReplacedRange(before.Start + start, before.Start + end, newText[insertFrom..insertTo]));
        }
    }

    private static bool IsSymbol(char c) => c is >= FirstSymbol and <= LastSymbol;

    /// <summary>The pieces with each mask as one symbol, the rendered offset of every compact offset (and the end), and the rendered text.</summary>
    private static (string Compact, int[] Map, string Text) Compact(IReadOnlyList<RegionPiece> pieces, bool masksAsSymbol)
    {
        var compact = new System.Text.StringBuilder();
        var map = new List<int>();
        var rendered = 0;
        foreach (var piece in pieces)
        {
            if (piece.IsMask && masksAsSymbol)
            {
                compact.Append((char)(FirstSymbol + piece.Token));
                map.Add(rendered);
            }
            else
            {
                compact.Append(piece.Text);
                for (var k = 0; k < piece.Text.Length; k++) map.Add(rendered + k);
            }
            rendered += piece.Text.Length;
        }
        map.Add(rendered);
        return (compact.ToString(), map.ToArray(), string.Concat(pieces.Select(p => p.Text)));
    }
}
