using System.Text;
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
    private List<Segment> _segments;

    private DocumentCanvas(ICodeTokenizer tokenizer, SpecialTokenIds specials, SessionOptions options, List<Segment> segments)
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
        canvas.MaskRanges(regions, "regions", decoding ?? DecodingResolver.Defaults(options));
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
        var segments = new List<Segment> { new FixedSegment(fixedTexts[0]) };
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
            commitFrom, commitTo, plan.StepsLeft ?? Math.Max(1, eligible));
    }

    /// <summary>
    /// Writes a step's commits into the regions. The stepper contract is enforced, not trusted: a commit outside the
    /// window, on a position that is not masked, twice on one position, or of the mask token itself is an error, and
    /// so is committing nothing while masks remain (that would loop forever). Every commit is checked before any is
    /// written, so a rejected step leaves the document as it was. With <see cref="SessionOptions.PadEndsRegion"/> a
    /// committed pad/end token also turns the region's later masks into pads.
    /// Every region with masks the step could commit counts it (<see cref="RegionDecoding.MaxSteps"/>).
    /// Returns the number of tokens the model committed (pads filled by the rule are not counted).
    /// </summary>
    public int Apply(StepWindow window, IReadOnlyList<StepCommit> commits)
    {
        if (commits.Count == 0)
            throw new InvalidOperationException($"The model committed nothing in a window with {window.Masked} masked positions.");
        var targets = new (RegionSegment Region, int Local)[commits.Count];
        var taken = new HashSet<int>();
        for (var c = 0; c < commits.Count; c++)
            targets[c] = Target(window, commits[c], taken);
        CountStep(window);
        for (var c = 0; c < commits.Count; c++)
        {
            var (region, local) = targets[c];
            region.Tokens[local] = commits[c].Token;
            region.Confidence[local] = commits[c].Confidence;
            region.Masked--;
        }
        if (_options.PadEndsRegion)
            foreach (var region in _segments.OfType<RegionSegment>())
                PadAfterFirstEnd(region);
        return commits.Count;
    }

    /// <summary>The still-masked region position a commit writes; throws when the commit breaks the stepper contract.</summary>
    private (RegionSegment Region, int Local) Target(StepWindow window, StepCommit commit, HashSet<int> taken)
    {
        if (commit.Position < 0 || commit.Position >= window.Tokens.Length)
            throw new InvalidOperationException($"The model committed position {commit.Position}, outside the window of {window.Tokens.Length} tokens.");
        if (commit.Token == _specials.Mask || commit.Token < 0 || commit.Token >= _tokenizer.VocabularySize)
            throw new InvalidOperationException($"The model committed token id {commit.Token} at position {commit.Position}, which is the mask or outside the vocabulary.");
        var documentIndex = window.Offset + commit.Position;
        if (documentIndex < 0)
            throw new InvalidOperationException($"The model committed window position {commit.Position}, which is not a masked position.");
        // The last segment starting at or before the index holds it (an empty segment shares its start with the next one).
        var segmentIndex = Array.FindLastIndex(window.SegmentStarts, s => s <= documentIndex);
        var local = documentIndex - window.SegmentStarts[segmentIndex];
        // A second commit on one position finds it "not masked", as it would have once the first was written.
        if (_segments[segmentIndex] is not RegionSegment region || region.Tokens[local] != _specials.Mask || !taken.Add(documentIndex))
            throw new InvalidOperationException($"The model committed window position {commit.Position}, which is not a masked position.");
        // A mask of a later block (or of a region decoded otherwise) was not the step's to fill.
        if (commit.Position < window.CommitFrom || commit.Position >= window.CommitTo)
            throw new InvalidOperationException($"The model committed masked position {commit.Position}, outside the positions [{window.CommitFrom}, {window.CommitTo}) the step asked for.");
        return (region, local);
    }

    /// <summary>A step was spent on every region that has a mask among the window positions the step could commit.</summary>
    private void CountStep(StepWindow window)
    {
        int from = Math.Max(0, window.Offset + window.CommitFrom), to = window.Offset + window.CommitTo; // document token indices
        for (var i = 0; i < _segments.Count; i++)
        {
            if (_segments[i] is not RegionSegment { Masked: > 0 } region) continue;
            int start = window.SegmentStarts[i];
            int lo = Math.Max(from, start) - start, hi = Math.Min(to, start + region.Tokens.Length) - start; // region-local
            if (lo < hi && Array.IndexOf(region.Tokens, _specials.Mask, lo, hi - lo) >= 0) region.Steps++;
        }
    }

    /// <summary>Masks after the region's first pad/end token become pads: the models only ever saw pads end a region.</summary>
    private void PadAfterFirstEnd(RegionSegment region)
    {
        if (region.Masked == 0) return;
        region.Masked -= RegionEnd.FillAfterFirstEnd(region.Tokens, _specials).Count;
    }

    /// <summary>Turns regions without masks into fixed text (pad/end dropped) merged with their neighbours.</summary>
    public void FinalizeCompletedRegions()
    {
        var merged = new List<Segment>(_segments.Count);
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

    /// <summary>A copy with every still-masked position dropped (cancel/fail) and all regions finalized with what was committed.</summary>
    public DocumentCanvas WithoutMasks()
    {
        var copy = Clone();
        for (var i = 0; i < copy._segments.Count; i++)
        {
            if (copy._segments[i] is RegionSegment r)
                copy._segments[i] = r.WithoutMasks(_specials.Mask);
        }
        copy.FinalizeCompletedRegions();
        return copy;
    }

    /// <summary>Frees cached tokens of fixed text (an idle session keeps only its text).</summary>
    public void ReleaseTokenCaches()
    {
        foreach (var f in _segments.OfType<FixedSegment>())
            f.DropTokens();
    }

    /// <summary>
    /// A new canvas with <paramref name="edits"/> applied to the rendered text (ranges of the current text, applied as
    /// if simultaneous), then <paramref name="regenerate"/> ranges of the edited text masked. A range that reaches
    /// into a region still being generated is a <see cref="RegionBusyException"/>.
    /// </summary>
    public DocumentCanvas WithEdits(IReadOnlyList<TextEdit> edits, IReadOnlyList<TextRegion> regenerate, RegionDecoding? decoding = null)
    {
        var rendered = Render();
        for (var i = 0; i < edits.Count; i++)
        {
            if (edits[i] is null || edits[i].Text is null)
                throw new InvalidSessionRequestException($"edits[{i}] needs start, end and text.");
        }
        var order = TextRanges.ValidateAndOrder(rendered.Text, edits.Select(e => (e.Start, e.End)).ToList(), "edits");
        var copy = Clone();
        // Apply from the end so earlier offsets stay valid; each edit lands in exactly one fixed segment.
        foreach (var i in order.Reverse())
        {
            var edit = edits[i];
            var k = FixedSegmentHolding(rendered, edit.Start, edit.End)
                ?? throw new RegionBusyException($"edits[{i}] = [{edit.Start}, {edit.End}) reaches into a region that is still being generated; wait for it or cancel.");
            var segment = (FixedSegment)copy._segments[k];
            var local = edit.Start - rendered.SegmentRanges[k].Start;
            copy._segments[k] = new FixedSegment(string.Concat(segment.Text.AsSpan(0, local), edit.Text, segment.Text.AsSpan(local + edit.End - edit.Start)));
        }
        copy.MaskRanges(regenerate, "regenerate", decoding ?? DecodingResolver.Defaults(_options));
        return copy;
    }

    /// <summary>Masks ranges of the current rendered text, to be decoded by <paramref name="decoding"/>; each must lie inside one fixed segment.</summary>
    private void MaskRanges(IReadOnlyList<TextRegion> regions, string field, RegionDecoding decoding)
    {
        for (var i = 0; i < regions.Count; i++)
        {
            if (regions[i] is null) throw new InvalidSessionRequestException($"{field}[{i}] is null.");
            if (regions[i].MaxTokens is { } max && (max < 1 || max > _options.MaxRegionTokens))
                throw new InvalidSessionRequestException($"{field}[{i}].maxTokens = {max} is out of range 1..{_options.MaxRegionTokens}.");
        }
        if (regions.Count == 0) return;
        var rendered = Render();
        var order = TextRanges.ValidateAndOrder(rendered.Text, regions.Select(r => (r.Start, r.End)).ToList(), field);
        var cuts = new Dictionary<int, List<int>>();
        foreach (var i in order)
        {
            var k = FixedSegmentHolding(rendered, regions[i].Start, regions[i].End)
                ?? throw new RegionBusyException($"{field}[{i}] = [{regions[i].Start}, {regions[i].End}) reaches into a region that is still being generated.");
            if (!cuts.TryGetValue(k, out var list)) cuts[k] = list = [];
            list.Add(i);
        }
        var segments = new List<Segment>();
        for (var k = 0; k < _segments.Count; k++)
        {
            if (!cuts.TryGetValue(k, out var inSegment))
            {
                segments.Add(_segments[k]);
                continue;
            }
            var text = ((FixedSegment)_segments[k]).Text;
            var segmentStart = rendered.SegmentRanges[k].Start;
            var cursor = 0;
            foreach (var i in inSegment) // ascending by start
            {
                var start = regions[i].Start - segmentStart;
                var end = regions[i].End - segmentStart;
                var replaced = text[start..end];
                var budget = regions[i].MaxTokens ?? MaskBudget.For(replaced.Length == 0 ? 0 : _tokenizer.EncodeVerbatim(replaced).Ids.Length, _options);
                segments.Add(new FixedSegment(text[cursor..start]));
                segments.Add(RegionSegment.AllMasked(budget, _specials.Mask, decoding));
                cursor = end;
            }
            segments.Add(new FixedSegment(text[cursor..]));
        }
        _segments = segments;
    }

    /// <summary>The fixed segment whose closed range [start, end] contains [start, end], if any.</summary>
    private static int? FixedSegmentHolding(RenderedDocument rendered, int start, int end)
    {
        for (var k = 0; k < rendered.SegmentRanges.Count; k += 2)
        {
            var range = rendered.SegmentRanges[k];
            if (range.Start <= start && end <= range.End) return k;
        }
        return null;
    }

    /// <summary>Renders the region; returns where its first mask placeholder starts in <paramref name="text"/> (-1: none).</summary>
    private int AppendRegion(StringBuilder text, RegionSegment region)
    {
        int firstMask = -1;
        // Committed tokens between masks decode together (a byte-level token may hold part of a character);
        // pad/end tokens are dropped.
        var run = new List<int>();
        foreach (var token in region.Tokens)
        {
            if (token == _specials.Mask)
            {
                Flush();
                if (firstMask < 0) firstMask = text.Length;
                text.Append(SessionSnapshot.MaskPlaceholder);
            }
            else if (token != _specials.Pad && token != _specials.End)
            {
                run.Add(token);
            }
        }
        Flush();

        return firstMask;

        void Flush()
        {
            if (run.Count == 0) return;
            text.Append(_tokenizer.Decode(run));
            run.Clear();
        }
    }

    private DocumentCanvas Clone() => new(_tokenizer, _specials, _options, _segments.Select(s => s switch
    {
        RegionSegment r => r.Copy(),
        _ => s,
    }).ToList());

    private abstract class Segment;

    /// <summary>Immutable fixed text with a lazily computed token cache.</summary>
    private sealed class FixedSegment(string text) : Segment
    {
        private int[]? _tokens;

        public string Text { get; } = text;

        public int[] Tokens(ICodeTokenizer tokenizer) => _tokens ??= Text.Length == 0 ? [] : tokenizer.EncodeVerbatim(Text).Ids;

        public void DropTokens() => _tokens = null;
    }

    private sealed class RegionSegment(int[] tokens, float[] confidence, int masked, RegionDecoding decoding) : Segment
    {
        public RegionDecoding Decoding { get; } = decoding;

        public int[] Tokens { get; } = tokens;

        public float[] Confidence { get; } = confidence;

        public int Masked { get; set; } = masked;

        /// <summary>Steps spent on this region so far (checkpointed with its tokens).</summary>
        public int Steps { get; set; }

        public static RegionSegment AllMasked(int budget, int mask, RegionDecoding decoding) =>
            new(Enumerable.Repeat(mask, budget).ToArray(), new float[budget], budget, decoding);

        /// <summary>Checkpointed tokens; their confidences are not persisted (nothing reads them once committed), so they restore as 0.</summary>
        public static RegionSegment FromCheckpoint(int[] tokens, int mask, RegionDecoding decoding, int steps) =>
            new((int[])tokens.Clone(), new float[tokens.Length], tokens.Count(t => t == mask), decoding) { Steps = steps };

        public RegionSegment Copy() => new((int[])Tokens.Clone(), (float[])Confidence.Clone(), Masked, Decoding) { Steps = Steps };

        public RegionSegment WithoutMasks(int mask)
        {
            var keep = Enumerable.Range(0, Tokens.Length).Where(i => Tokens[i] != mask).ToArray();
            return new RegionSegment(keep.Select(i => Tokens[i]).ToArray(), keep.Select(i => Confidence[i]).ToArray(), 0, Decoding);
        }
    }
}
