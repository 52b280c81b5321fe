using System.Text;
using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// A session's document: fixed text and regions being generated, interleaved (fixed, region, fixed, …, fixed — always
/// one more fixed segment than regions, possibly empty). Fixed segments keep their original string, so text outside
/// regions stays byte-identical whatever the tokenizer does; their tokens are only a cache for building model windows.
/// A region is a token array (mask ids where still to fill) with per-token confidence; once no mask is left it is
/// decoded (pad/end tokens dropped) and merged into its neighbours. Each region keeps the decoding it was asked with
/// (<see cref="RegionDecoding"/>) and the steps spent on it.
/// </summary>
internal sealed class DocumentCanvas
{
    private readonly ICodeTokenizer _tokenizer;
    private readonly SpecialTokenIds _specials;
    private readonly SessionOptions _options;
    private List<CanvasSegment> _segments;

    private DocumentCanvas(ICodeTokenizer tokenizer, SpecialTokenIds specials, SessionOptions options, List<CanvasSegment> segments)
    {
        _tokenizer = tokenizer;
        _specials = specials;
        _options = options;
        _segments = segments;
    }

    /// <summary>Masked tokens left in the document.</summary>
    public int Masked => _segments.OfType<RegionSegment>().Sum(r => r.Masked);

    /// <summary>Characters of fixed text (what counts against text size limits).</summary>
    public int FixedLength => _segments.OfType<FixedSegment>().Sum(f => f.Text.Length);

    /// <summary>
    /// A document from <paramref name="text"/> with <paramref name="regions"/> masked (validated; 400 on bad input),
    /// decoded by <paramref name="decoding"/> (null: the configured defaults).
    /// </summary>
    public static DocumentCanvas Create(string text, IReadOnlyList<TextRegion> regions, ICodeTokenizer tokenizer, SpecialTokenIds specials, SessionOptions options,
        RegionDecoding? decoding = null)
    {
        var canvas = new DocumentCanvas(tokenizer, specials, options, [new FixedSegment(text)]);
        canvas.MaskRanges(regions ?? [], "regions", decoding ?? DecodingResolver.Defaults(options));
        return canvas;
    }

    /// <summary>
    /// A document from persisted state. A region resumes from its checkpointed tokens (<paramref name="regionTokens"/>,
    /// null = none) — each must have the region's budget as length and hold only vocabulary ids — else from all masks.
    /// Each region gets its persisted decoding (<paramref name="decodings"/>; null, or a count that does not match: the
    /// configured defaults) and, when it resumes from its checkpoint, the steps it had spent (<paramref name="steps"/>).
    /// </summary>
    public static DocumentCanvas Restore(IReadOnlyList<string> fixedTexts, IReadOnlyList<int> budgets, IReadOnlyList<int[]>? regionTokens,
        ICodeTokenizer tokenizer, SpecialTokenIds specials, SessionOptions options,
        IReadOnlyList<RegionDecoding?>? decodings = null, IReadOnlyList<int>? steps = null)
    {
        if (decodings is not null && decodings.Count != budgets.Count) decodings = null;
        if (steps is not null && steps.Count != budgets.Count) steps = null;
        if (fixedTexts.Count != budgets.Count + 1)
            throw new InvalidOperationException($"Persisted session state is inconsistent: {fixedTexts.Count} fixed texts for {budgets.Count} regions.");
        if (regionTokens is not null && regionTokens.Count != budgets.Count)
            throw new InvalidOperationException($"Persisted session state is inconsistent: {regionTokens.Count} checkpointed regions for {budgets.Count} regions.");
        var segments = new List<CanvasSegment> { new FixedSegment(fixedTexts[0]) };
        for (var i = 0; i < budgets.Count; i++)
        {
            var saved = regionTokens?[i];
            if (saved is not null && (saved.Length != budgets[i] || saved.Any(t => t < 0 || t >= tokenizer.VocabularySize)))
                throw new InvalidOperationException(
                    $"Persisted session state is inconsistent: checkpointed region {i} has {saved.Length} tokens for a budget of {budgets[i]}, or ids outside the vocabulary.");
            var decoding = decodings?[i] ?? DecodingResolver.Defaults(options);
            segments.Add(saved is null
                ? RegionSegment.AllMasked(budgets[i], specials.Mask, decoding)
                : RegionSegment.FromCheckpoint(saved, specials.Mask, decoding, Math.Max(0, steps?[i] ?? 0)));
            segments.Add(new FixedSegment(fixedTexts[i + 1]));
        }
        return new DocumentCanvas(tokenizer, specials, options, segments);
    }

    /// <summary>Fixed texts, region budgets and the regions' current tokens (mask id where still masked), as <see cref="SessionState"/> stores them.</summary>
    public (List<string> Fixed, List<int> Budgets, List<int[]> RegionTokens) ToPersisted() =>
        (_segments.OfType<FixedSegment>().Select(f => f.Text).ToList(),
         _segments.OfType<RegionSegment>().Select(r => r.Tokens.Length).ToList(),
         _segments.OfType<RegionSegment>().Select(r => (int[])r.Tokens.Clone()).ToList());

    /// <summary>Each region's decoding and the steps spent on it (same order as <see cref="ToPersisted"/>'s regions).</summary>
    public (List<RegionDecoding?> Decodings, List<int> Steps) DecodingToPersist() =>
        (_segments.OfType<RegionSegment>().Select(r => (RegionDecoding?)r.Decoding).ToList(),
         _segments.OfType<RegionSegment>().Select(r => r.Steps).ToList());

    public RenderedDocument Render()
    {
        var text = new StringBuilder();
        var regions = new List<RegionView>();
        var ranges = new List<(int, int)>(_segments.Count);
        foreach (var segment in _segments)
        {
            var start = text.Length;
            switch (segment)
            {
                case FixedSegment f:
                    text.Append(f.Text);
                    break;
                case RegionSegment r:
                    var firstMask = AppendRegion(text, r);
                    if (r.Masked > 0) regions.Add(new RegionView(start, text.Length, r.Masked, firstMask));
                    break;
            }
            ranges.Add((start, text.Length));
        }
        return new RenderedDocument(text.ToString(), regions, ranges);
    }

    /// <summary>
    /// The window for the next step: the whole document if it fits in <paramref name="maxWindow"/>, else the first
    /// region with masks centred in as much context on both sides as fits (or, for a region longer than the window,
    /// a window starting a little before its first mask). The step may commit only in that region's current block
    /// (<see cref="RegionStepPlan"/>) — or, without blocks, in it and the regions right after it that share its decoding.
    /// </summary>
    public StepWindow BuildWindow(int maxWindow)
    {
        if (maxWindow < 1) throw new InvalidOperationException($"The model's MaxWindow is {maxWindow}; it must be ≥ 1.");
        var all = new List<int>();
        var starts = new int[_segments.Count];
        int regionStart = -1, regionEnd = -1, firstMask = -1, focus = -1;
        for (var i = 0; i < _segments.Count; i++)
        {
            starts[i] = all.Count;
            var tokens = _segments[i] switch
            {
                FixedSegment f => f.Tokens(_tokenizer),
                RegionSegment r => r.Tokens,
                _ => throw new InvalidOperationException("unknown segment"),
            };
            if (regionStart < 0 && _segments[i] is RegionSegment { Masked: > 0 } masked)
            {
                regionStart = all.Count;
                regionEnd = all.Count + tokens.Length;
                firstMask = all.Count + Array.IndexOf(masked.Tokens, _specials.Mask);
                focus = i;
            }
            all.AddRange(tokens);
        }
        if (regionStart < 0) throw new InvalidOperationException("The document has no masked position to denoise.");

        int lo;
        if (all.Count <= maxWindow)
            lo = 0;
        else if (regionEnd - regionStart <= maxWindow)
            lo = Math.Clamp(regionStart - (maxWindow - (regionEnd - regionStart)) / 2, 0, all.Count - maxWindow);
        else
            lo = Math.Clamp(firstMask - maxWindow / 8, 0, all.Count - maxWindow);
        var length = Math.Min(maxWindow, all.Count - lo);
        if (lo == 0 && all[0] == _specials.Mask && maxWindow > 1)
        {
            // A mask at the very start of the document: lead with the end token that separates documents in the
            // training stream, so a shifted (Dream-style) model has a position to predict the first token from.
            length = Math.Min(maxWindow - 1, all.Count);
            var led = all.GetRange(0, length).Prepend(_specials.End).ToArray();
            return Window(-1, led, starts, focus);
        }
        return Window(lo, all.GetRange(lo, length).ToArray(), starts, focus);
    }

    /// <summary>The window with the positions its step may commit and the steps it has for them (the focus region's plan).</summary>
    private StepWindow Window(int offset, int[] tokens, int[] starts, int focus)
    {
        var region = (RegionSegment)_segments[focus];
        var plan = RegionStepPlan.For(region.Tokens, _specials.Mask, region.Decoding, region.Steps);
        int from = starts[focus] + plan.From, to = starts[focus] + plan.To; // document token indices
        if (region.Decoding.BlockSize <= 0)
        {
            // Later regions decoded the same way share the step, as they always have (a window of several regions).
            for (var k = focus + 2; k < _segments.Count && _segments[k] is RegionSegment next && next.Decoding == region.Decoding; k += 2)
                to = starts[k] + next.Tokens.Length;
        }
        int commitFrom = Math.Clamp(from - offset, 0, tokens.Length), commitTo = Math.Clamp(to - offset, commitFrom, tokens.Length);
        int eligible = Array.FindAll(tokens[commitFrom..commitTo], t => t == _specials.Mask).Length;
        return new StepWindow(offset, tokens, starts, tokens.Count(t => t == _specials.Mask), region.Steps, region.Decoding,
            commitFrom, commitTo, plan.StepsLeft ?? Math.Max(1, eligible), MaskIds(offset, tokens, starts, commitFrom, commitTo));
    }

    /// <summary>The identity of the mask at each window position in [from, to), 0 where there is none.</summary>
    private long[] MaskIds(int offset, int[] tokens, int[] starts, int from, int to)
    {
        var ids = new long[to - from];
        for (var p = from; p < to; p++)
        {
            var documentIndex = offset + p;
            if (tokens[p] != _specials.Mask || documentIndex < 0) continue;
            var segment = Array.FindLastIndex(starts, s => s <= documentIndex);
            if (_segments[segment] is RegionSegment region) ids[p - from] = region.Ids[documentIndex - starts[segment]];
        }
        return ids;
    }

    /// <summary>
    /// Writes a step's commits into the regions. The stepper contract is enforced, not trusted: a commit outside the
    /// window, on a position that was not masked, twice on one position, or of the mask token itself is an error, and
    /// so is committing nothing (that would loop forever). Every commit is checked before any is written, so a rejected
    /// step leaves the document as it was. Commits find their masks by identity (<see cref="StepWindow.CommitIds"/>):
    /// where edits made while the step ran moved a mask or split its region, the commit follows it; where an edit took
    /// the mask away (a person's text won over it), the commit is dropped. With <see cref="SessionOptions.PadEndsRegion"/>
    /// a committed pad/end token also turns the region's later masks into pads.
    /// Every region that still holds a mask the step could commit counts it (<see cref="RegionDecoding.MaxSteps"/>).
    /// Returns the number of tokens written (pads filled by the rule, and dropped commits, are not counted).
    /// </summary>
    public int Apply(StepWindow window, IReadOnlyList<StepCommit> commits)
    {
        if (commits.Count == 0)
            throw new InvalidOperationException($"The model committed nothing in a window with {window.Masked} masked positions.");
        var masks = MasksOf(window);
        var targets = new List<((RegionSegment Region, int Local) Mask, StepCommit Commit)>(commits.Count);
        var taken = new HashSet<int>();
        foreach (var commit in commits)
        {
            var id = CheckContract(window, commit, taken);
            if (masks.TryGetValue(id, out var mask)) targets.Add((mask, commit));
        }
        foreach (var region in masks.Values.Select(m => m.Region).Distinct())
            region.Steps++;
        foreach (var ((region, local), commit) in targets)
        {
            region.Tokens[local] = commit.Token;
            region.Confidence[local] = commit.Confidence;
            region.Masked--;
        }
        if (_options.PadEndsRegion)
            foreach (var region in _segments.OfType<RegionSegment>())
                PadAfterFirstEnd(region);
        return targets.Count;
    }

    /// <summary>Where each mask the step could commit is now, by identity (masks that edits took away are absent).</summary>
    private Dictionary<long, (RegionSegment Region, int Local)> MasksOf(StepWindow window)
    {
        var wanted = window.CommitIds.Where(id => id != 0).ToHashSet();
        var masks = new Dictionary<long, (RegionSegment, int)>(wanted.Count);
        foreach (var region in _segments.OfType<RegionSegment>())
        {
            if (region.Masked == 0) continue;
            for (var i = 0; i < region.Tokens.Length; i++)
                if (region.Tokens[i] == _specials.Mask && wanted.Contains(region.Ids[i])) masks[region.Ids[i]] = (region, i);
        }
        return masks;
    }

    /// <summary>The identity of the mask a commit fills; throws when the commit breaks the stepper contract.</summary>
    private long CheckContract(StepWindow window, StepCommit commit, HashSet<int> taken)
    {
        if (commit.Position < 0 || commit.Position >= window.Tokens.Length)
            throw new InvalidOperationException($"The model committed position {commit.Position}, outside the window of {window.Tokens.Length} tokens.");
        if (commit.Token == _specials.Mask || commit.Token < 0 || commit.Token >= _tokenizer.VocabularySize)
            throw new InvalidOperationException($"The model committed token id {commit.Token} at position {commit.Position}, which is the mask or outside the vocabulary.");
        // The window holds the tokens as the step saw them; a second commit on one position finds it "not masked".
        if (window.Tokens[commit.Position] != _specials.Mask || window.Offset + commit.Position < 0 || !taken.Add(commit.Position))
            throw new InvalidOperationException($"The model committed window position {commit.Position}, which is not a masked position.");
        // A mask of a later block (or of a region decoded otherwise) was not the step's to fill.
        if (commit.Position < window.CommitFrom || commit.Position >= window.CommitTo)
            throw new InvalidOperationException($"The model committed masked position {commit.Position}, outside the positions [{window.CommitFrom}, {window.CommitTo}) the step asked for.");
        return window.CommitIds[commit.Position - window.CommitFrom];
    }

    /// <summary>Masks after the region's first pad/end token become pads: the models only ever saw pads end a region.</summary>
    private void PadAfterFirstEnd(RegionSegment region)
    {
        if (region.Masked == 0) return;
        region.Masked -= RegionEnd.FillAfterFirstEnd(region.Tokens, _specials).Count;
    }

    /// <summary>
    /// <see cref="Apply"/>, then finalization, returning the step's change as exact ranges of the rendered text (a diff
    /// per region: a person editing inside a region keeps their edit).
    /// </summary>
    public (int Committed, IReadOnlyList<ReplacedRange> Change) ApplyStep(StepWindow window, IReadOnlyList<StepCommit> commits)
    {
        var before = RenderRegions();
        var committed = Apply(window, commits);
        var change = RegionDiff.Ranges(before, RenderRegions());
        FinalizeCompletedRegions();
        return (committed, change);
    }

    /// <summary>Turns regions without masks into fixed text (pad/end dropped) merged with their neighbours.</summary>
    public void FinalizeCompletedRegions()
    {
        var merged = new List<CanvasSegment>(_segments.Count);
        foreach (var segment in _segments)
        {
            if (segment is RegionSegment { Masked: 0 } done)
            {
                var previous = (FixedSegment)merged[^1];
                var text = new StringBuilder(previous.Text);
                AppendRegion(text, done);
                merged[^1] = new FixedSegment(text.ToString());
            }
            else if (segment is FixedSegment f && merged.Count > 0 && merged[^1] is FixedSegment before)
            {
                merged[^1] = new FixedSegment(before.Text + f.Text);
            }
            else
            {
                merged.Add(segment);
            }
        }
        _segments = merged;
    }

    /// <summary>
    /// A copy with every still-masked position dropped (cancel/fail) and all regions finalized with what was committed,
    /// and that change as exact ranges of the rendered text.
    /// </summary>
    public CanvasChange WithoutMasks()
    {
        var before = RenderRegions();
        var copy = Clone();
        for (var i = 0; i < copy._segments.Count; i++)
        {
            if (copy._segments[i] is RegionSegment r)
                copy._segments[i] = r.WithoutMasks(_specials.Mask);
        }
        var ranges = RegionDiff.Ranges(before, copy.RenderRegions());
        copy.FinalizeCompletedRegions();
        return new CanvasChange(copy, ranges);
    }

    /// <summary>Frees cached tokens of fixed text (an idle session keeps only its text).</summary>
    public void ReleaseTokenCaches()
    {
        foreach (var f in _segments.OfType<FixedSegment>())
            f.DropTokens();
    }

    /// <summary>
    /// A new canvas with <paramref name="ranges"/> (a range set of the rendered text) applied, exactly: the new rendered
    /// text is the ranges applied to the old one, also where they reach into regions still being generated
    /// (<see cref="CanvasEdit"/>). Throws <see cref="InvalidSessionRequestException"/> on invalid ranges.
    /// </summary>
    public CanvasChange WithChange(IReadOnlyList<ReplacedRange> ranges)
    {
        var text = Render().Text;
        RangeSet.Validate(ranges, text.Length);
        var copy = new DocumentCanvas(_tokenizer, _specials, _options,
            CanvasEdit.Apply(_segments, text, ranges.Select(r => new CanvasRange(r.Start, r.End, r.Text)).ToList(), _tokenizer, _specials));
        return new CanvasChange(copy, RangeSet.WithoutNoOps(ranges));
    }

    /// <summary>
    /// A new canvas with ranges of the rendered text masked to be generated again (each replaced by a new all-masked
    /// region sized by the budget rule or its maxTokens, decoded by <paramref name="decoding"/>, null: the configured
    /// defaults); a range may overlap regions still being generated.
    /// </summary>
    public CanvasChange WithRegenerated(IReadOnlyList<TextRegion> regions, string field = "regenerate", RegionDecoding? decoding = null)
    {
        var copy = Clone();
        var ranges = copy.MaskRanges(regions, field, decoding ?? DecodingResolver.Defaults(_options));
        return new CanvasChange(copy, ranges);
    }

    /// <summary>Masks ranges of the current rendered text; returns the change as replaced ranges (old text → placeholders).</summary>
    private IReadOnlyList<ReplacedRange> MaskRanges(IReadOnlyList<TextRegion> regions, string field, RegionDecoding decoding)
    {
        var text = regions.Count == 0 ? "" : Render().Text;
        var ranges = RegionMasking.Ranges(text, regions, field, _tokenizer, _options, decoding);
        if (ranges.Count == 0) return [];
        _segments = CanvasEdit.Apply(_segments, text, ranges, _tokenizer, _specials);
        return ranges.Select(r => new ReplacedRange(r.Start, r.End, r.Text)).ToArray();
    }

    /// <summary>Every region as rendered now, in order, with its start in the rendered text.</summary>
    public IReadOnlyList<RegionText> RenderRegions()
    {
        var regions = new List<RegionText>();
        var offset = 0;
        foreach (var segment in _segments)
        {
            if (segment is FixedSegment f)
            {
                offset += f.Text.Length;
                continue;
            }
            var text = new RegionText(offset, RegionRenderer.Pieces((RegionSegment)segment, _tokenizer, _specials));
            regions.Add(text);
            offset += text.Length;
        }
        return regions;
    }

    /// <summary>Renders the region; returns where its first mask placeholder starts in <paramref name="text"/> (-1: none).</summary>
    private int AppendRegion(StringBuilder text, RegionSegment region)
    {
        var firstMask = -1;
        foreach (var piece in RegionRenderer.Pieces(region, _tokenizer, _specials))
        {
            if (piece.IsMask && firstMask < 0) firstMask = text.Length;
            text.Append(piece.Text);
        }
        return firstMask;
    }

    private DocumentCanvas Clone() => new(_tokenizer, _specials, _options, _segments.Select(s => s switch
    {
        RegionSegment r => r.Copy(),
        _ => s,
    }).ToList());
}
