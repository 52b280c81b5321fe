using System.Text;
using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// A range set applied to a canvas so that the rendered text afterwards is <b>exactly</b> the ranges applied to the
/// rendered text before (what every client computes). Ranges may reach into regions still being generated: the
/// person's text wins over what it covers. A region a range touches is split: its committed runs become fixed text
/// with identical characters, and each mask stays a mask unless a range overlaps its placeholder — then it is gone
/// (placeholder characters the range leaves become plain text). The remaining masks keep denoising as regions (of the
/// same origin, so their step count carries over), now conditioned on the new text. Untouched regions stay as they are.
/// </summary>
internal static class CanvasEdit
{
    private abstract record Unit(int OldStart, int Length)
    {
        public int NewStart { get; set; }
    }

    /// <summary>A region no range touches, kept whole.</summary>
    private sealed record KeptRegion(RegionSegment Region, int OldStart, int Length) : Unit(OldStart, Length);

    /// <summary>One surviving mask of a split region (<paramref name="Id"/>: its identity, kept).</summary>
    private sealed record KeptMask(RegionSegment Origin, long Id, int OldStart) : Unit(OldStart, SessionSnapshot.MaskPlaceholder.Length);

    /// <summary>A new all-masked region (regenerate).</summary>
    private sealed record NewRegion(int Budget, RegionDecoding Decoding, int Length) : Unit(-1, Length);

    public static List<CanvasSegment> Apply(IReadOnlyList<CanvasSegment> segments, string oldText, IReadOnlyList<CanvasRange> ranges,
        ICodeTokenizer tokenizer, SpecialTokenIds specials)
    {
        var replaced = ranges.Select(r => new ReplacedRange(r.Start, r.End, r.Text)).ToArray();
        var newText = RangeSet.Apply(oldText, replaced); // validates
        var units = new List<Unit>();
        var reusable = new Dictionary<string, FixedSegment>(StringComparer.Ordinal);
        var offset = 0;
        foreach (var segment in segments)
        {
            switch (segment)
            {
                case FixedSegment f:
                    reusable.TryAdd(f.Text, f);
                    offset += f.Text.Length;
                    break;
                case RegionSegment r:
                    offset += AddRegionUnits(r, offset, RegionRenderer.Pieces(r, tokenizer, specials), replaced, units);
                    break;
            }
        }
        MapToNewText(units, replaced);
        AddNewRegions(ranges, units);
        units.Sort((a, b) => a.NewStart.CompareTo(b.NewStart));
        return Build(units, newText, specials.Mask, reusable);
    }

    /// <summary>Adds the units of one region starting at <paramref name="start"/>; returns its rendered length.</summary>
    private static int AddRegionUnits(RegionSegment region, int start, IReadOnlyList<RegionPiece> pieces, IReadOnlyList<ReplacedRange> ranges, List<Unit> units)
    {
        var length = pieces.Sum(p => p.Text.Length);
        if (!Touched(start, start + length, ranges))
        {
            if (length > 0) units.Add(new KeptRegion(region, start, length));
            return length;
        }
        var position = start;
        foreach (var piece in pieces)
        {
            if (piece.IsMask && !Touched(position, position + piece.Text.Length, ranges))
                units.Add(new KeptMask(region, region.Ids[piece.Token], position));
            position += piece.Text.Length;
        }
        return length;
    }

    /// <summary>Whether a range overlaps [start, end) as the transform defines it (shares a character, or inserts strictly inside).</summary>
    private static bool Touched(int start, int end, IReadOnlyList<ReplacedRange> ranges)
    {
        var span = new ReplacedRange(start, end, "");
        foreach (var r in ranges)
        {
            if (r.Start > end) break;
            if (!r.IsNoOp && ConcurrentTransform.Overlaps(r, span)) return true;
        }
        return false;
    }

    /// <summary>A unit nothing overlaps moves by the length change of every range ending at or before its start.</summary>
    private static void MapToNewText(List<Unit> units, IReadOnlyList<ReplacedRange> ranges)
    {
        int k = 0, shift = 0;
        foreach (var unit in units) // in old-text order
        {
            while (k < ranges.Count && ranges[k].End <= unit.OldStart)
                shift += ranges[k++].LengthDelta;
            unit.NewStart = unit.OldStart + shift;
        }
    }

    private static void AddNewRegions(IReadOnlyList<CanvasRange> ranges, List<Unit> units)
    {
        var shift = 0;
        foreach (var r in ranges)
        {
            if (r.NewRegionBudget > 0)
                units.Add(new NewRegion(r.NewRegionBudget, r.Decoding ?? throw new InvalidOperationException("a new region needs its decoding"), r.Text.Length) { NewStart = r.Start + shift });
            shift += r.Text.Length - (r.End - r.Start);
        }
    }

    /// <summary>Fixed text between the units; adjacent masks of one origin with nothing between them form one region.</summary>
    private static List<CanvasSegment> Build(List<Unit> units, string text, int mask, Dictionary<string, FixedSegment> reusable)
    {
        var result = new List<CanvasSegment>();
        var cursor = 0;
        RegionSegment? origin = null;
        var masks = new List<long>();
        foreach (var unit in units)
        {
            if (unit is KeptMask m && masks.Count > 0 && ReferenceEquals(origin, m.Origin) && m.NewStart == cursor)
            {
                masks.Add(m.Id);
                cursor += unit.Length;
                continue;
            }
            CloseMasks();
            result.Add(Fixed(text[cursor..unit.NewStart]));
            switch (unit)
            {
                case KeptRegion k: result.Add(k.Region.Copy()); break;
                case NewRegion n: result.Add(RegionSegment.AllMasked(n.Budget, mask, n.Decoding)); break;
                case KeptMask km: origin = km.Origin; masks.Add(km.Id); break;
            }
            cursor = unit.NewStart + unit.Length;
        }
        CloseMasks();
        result.Add(Fixed(text[cursor..]));
        return result;

        void CloseMasks()
        {
            if (masks.Count == 0) return;
            // The parts of a split region keep its decoding, its step count and their masks' identities: they carry on
            // with the region's budget, and a step in flight still finds them.
            result.Add(RegionSegment.OfMasks([.. masks], mask, origin!.Decoding, origin.Steps));
            masks.Clear();
        }

        // Unchanged fixed text keeps its token cache.
        FixedSegment Fixed(string t) => reusable.TryGetValue(t, out var same) ? same : new FixedSegment(t);
    }
}
