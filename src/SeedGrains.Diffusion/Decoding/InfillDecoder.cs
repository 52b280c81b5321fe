using SeedGrains.Diffusion.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Decoding;

/// <summary>
/// Fills one masked region between a prefix and a suffix with the diffusion model, step by step, committing by a
/// <see cref="CommitPolicy"/>; optionally block by block and with a dual KV cache for the context.
/// <para>The cache trick: the canvas is fed as [context | active] with explicit RoPE positions — active = the positions
/// being decoded (the current block, or the whole region), context = everything else: prefix, suffix and the region's
/// other blocks — so after a full forward the context's keys/values are the cache's first positions and the active ones
/// can be dropped by <see cref="KvCache.Truncate"/>; later steps forward only the active positions against them
/// (Fast-dLLM's dual cache: a step costs a block, not the region).</para>
/// <para>A shifted model (Dream) predicts position i from i-1, so the position before the block (the <i>anchor</i>)
/// is active too.</para>
/// </summary>
public sealed class InfillDecoder(Qwen2Model model, SpecialTokenIds specials, Device device)
{
    public InfillResult Decode(int[] prefix, int[] suffix, int budget, CommitPolicy policy, InfillOptions options, ulong seed = 0)
    {
        if (budget <= 0) return new InfillResult([], 0, 0);
        bool shifted = model.Config.Shifted;
        // A shifted model predicts the region's first token from the token before it; at the start of a file that is
        // the end token that separates documents in the training stream.
        if (shifted && prefix.Length == 0) prefix = [specials.End];
        int p = prefix.Length;
        // The document in order; the region is a view of it (region position k is canvas position p + k).
        var canvas = prefix.Concat(Enumerable.Repeat(specials.Mask, budget)).Concat(suffix).ToArray();
        var region = new ArraySegment<int>(canvas, p, budget);
        int blockSize = options.BlockSize <= 0 ? budget : options.BlockSize;
        int blockCount = (budget + blockSize - 1) / blockSize;
        int steps = 0, forwards = 0, remasksLeft = options.RemaskBudget;
        var confidence = new float[budget];
        KvCache? cache = null;
        int[] active = [];
        int[] cached = []; // the canvas positions whose keys/values the cache holds, in cache order
        int stepsSinceRefresh = 0;
        bool handOver = false;
        using var noGrad = no_grad();
        try
        {
            while (region.AsSpan().IndexOf(specials.Mask) is var firstMasked && firstMasked >= 0)
            {
                int stepsLeft = Math.Max(1, options.MaxSteps - steps);
                int block = firstMasked / blockSize;
                int blockStart = block * blockSize, blockEnd = Math.Min(budget, blockStart + blockSize);
                bool full = !options.UseCache || cache is null || stepsSinceRefresh >= options.RefreshEvery;
                using var scope = NewDisposeScope();
                Tensor activeHidden;
                if (full)
                {
                    cache?.Dispose();
                    cache = options.UseCache ? new KvCache(model.Config.NumLayers) : null;
                    // Without a cache the block gains nothing from a narrower active set: keep the whole region active.
                    active = options.UseCache ? ActivePositions(p + blockStart, p + blockEnd) : ActivePositions(p, p + budget);
                    cached = Enumerable.Range(0, canvas.Length).Except(active).ToArray();
                    activeHidden = FullForward(canvas, cached, active, cache);
                    stepsSinceRefresh = 0;
                }
                else
                {
                    if (handOver)
                    {
                        (active, cached) = HandOver(canvas, active, cached, ActivePositions(p + blockStart, p + blockEnd), cache!);
                        forwards++;
                    }
                    activeHidden = ForwardAt(canvas, active, cache, append: false);
                }
                forwards++;
                steps++;
                stepsSinceRefresh++;

                var positionsInBlock = Enumerable.Range(blockStart, blockEnd - blockStart).Where(k => region[k] == specials.Mask).ToList();
                // Region position k sits at canvas position p + k; a shifted model reads it from the position before.
                var predictors = positionsInBlock.Select(k => (long)Array.BinarySearch(active, model.Config.PredictorOf(p + k))).ToArray();
                var logits = model.LmHead(activeHidden.index_select(0, tensor(predictors, dtype: int64, device: device)));
                var candidates = TokenScorer.Score(logits, positionsInBlock, specials.Mask, policy, seed + (ulong)steps);
                // The block must finish within the steps left, shared with the blocks after it.
                int blocksLeft = (budget - blockStart + blockSize - 1) / blockSize;
                int blockSteps = Math.Max(1, stepsLeft / blocksLeft);
                foreach (var c in CommitSelector.Select(candidates, policy, blockSteps))
                {
                    region[c.Position] = c.Token;
                    confidence[c.Position] = c.Confidence;
                }
                if (remasksLeft > 0 && steps < options.MaxSteps - 1)
                    remasksLeft -= Remask(region, confidence, blockStart, blockEnd, options.RemaskBelow, remasksLeft, keepEnds: options.PadEndsRegion);
                if (options.PadEndsRegion) RegionEnd.FillAfterFirstEnd(region.AsSpan(), specials); // after re-masking: a withdrawn end leaves no pads

                bool blockDone = positionsInBlock.Count > 0 && region.AsSpan(blockStart, blockEnd - blockStart).IndexOf(specials.Mask) < 0;
                handOver = false;
                if (blockDone && blockEnd < budget)
                {
                    if (options.BlockHandover && options.UseCache) handOver = true;
                    else stepsSinceRefresh = int.MaxValue; // Fast-dLLM: refresh the cache per block
                }
                // Defensive. Once a block's share of the steps left is one, CommitSelector commits all its candidates and
                // no re-masking happens (it stops at MaxSteps − 1), so every such step finishes its block: no decode needs more.
                if (steps > (long)options.MaxSteps + blockCount) throw new InvalidOperationException("decoder did not terminate");
            }
        }
        finally
        {
            cache?.Dispose();
        }
        var tokens = region.Where(t => t != specials.Pad && t != specials.End).ToArray();
        return new InfillResult(tokens, steps, forwards);
    }

    /// <summary>
    /// Moves from one block to the next without a full forward: the cache drops the next block's positions (they
    /// become active) and gains the finished ones, with keys/values from a forward of their tokens against the cache.
    /// Only active positions change between forwards (commits, re-masks and pads all stay inside the region's current
    /// block or end it), so every other cached entry still holds its token. Returns the new active set and the cache's
    /// positions.
    /// </summary>
    internal (int[] Active, int[] Cached) HandOver(int[] canvas, int[] active, int[] cached, int[] next, KvCache cache)
    {
        var nextSet = next.ToHashSet();
        var keep = Enumerable.Range(0, cached.Length).Where(i => !nextSet.Contains(cached[i])).Select(i => (long)i).ToArray();
        var joining = active.Where(i => !nextSet.Contains(i)).ToArray();
        cache.Keep(keep);
        if (joining.Length > 0)
        {
            using var scope = NewDisposeScope();
            ForwardAt(canvas, joining, cache, append: true);
        }
        return (next, keep.Select(i => cached[i]).Concat(joining).ToArray());
    }

    /// <summary>Canvas positions [from, to) plus, for a shifted model, the position that predicts the first of them; sorted.</summary>
    internal int[] ActivePositions(int from, int to) =>
        Enumerable.Range(from, to - from).Prepend(model.Config.PredictorOf(from)).Distinct().Order().ToArray();

    /// <summary>
    /// Forward of [context | active] with true positions (context = the canvas positions not in
    /// <paramref name="active"/>); with a cache, keeps the context's keys/values. Returns the active hidden states [A, D].
    /// </summary>
    internal Tensor FullForward(int[] canvas, int[] context, int[] active, KvCache? cache)
    {
        var hidden = ForwardAt(canvas, [.. context, .. active], cache, append: cache is not null);
        cache?.Truncate(context.Length);
        return hidden.narrow(0, context.Length, active.Length);
    }

    /// <summary>A bidirectional forward of the tokens at these canvas positions (against the cache); hidden states [N, D].</summary>
    Tensor ForwardAt(int[] canvas, int[] at, KvCache? cache, bool append)
    {
        var ids = tensor(at.Select(i => (long)canvas[i]).ToArray(), [1, at.Length], dtype: int64, device: device);
        var positions = tensor(at.Select(i => (long)i).ToArray(), [1, at.Length], dtype: int64, device: device);
        return model.ForwardHidden(ids, AttentionMode.Bidirectional, positionIds: positions, cache: cache, appendToCache: append).squeeze(0);
    }

    /// <summary>Re-masks the least confident committed tokens of the block below the threshold; returns how many.</summary>
    /// <param name="keepEnds">Never re-mask pad/end tokens (with pad-ends-region the pads after them would stay).</param>
    int Remask(ArraySegment<int> region, float[] confidence, int start, int end, float below, int budget, bool keepEnds)
    {
        var weakest = Enumerable.Range(start, end - start)
            .Where(i => region[i] != specials.Mask && confidence[i] < below && !(keepEnds && (region[i] == specials.Pad || region[i] == specials.End)))
            .OrderBy(i => confidence[i]).Take(Math.Min(budget, 1)).ToList();
        // Never re-mask the whole block: at least one commit from this step must stand, or decoding could loop.
        if (weakest.Count == 0 || Enumerable.Range(start, end - start).Count(i => region[i] != specials.Mask) <= weakest.Count) return 0;
        foreach (var i in weakest) { region[i] = specials.Mask; confidence[i] = 0; }
        return weakest.Count;
    }
}
