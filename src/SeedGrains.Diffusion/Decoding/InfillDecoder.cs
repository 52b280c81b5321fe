using SeedGrains.Diffusion.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Decoding;

/// <summary>
/// Fills one masked region between a prefix and a suffix with the diffusion model, step by step, committing by a
/// <see cref="CommitPolicy"/>; optionally block by block and with a dual KV cache for the context.
/// <para>The cache trick: the canvas is fed as [context | active] with explicit RoPE positions — context = prefix
/// and suffix, active = the region — so after a full forward the context's keys/values are the cache's first
/// positions and the active ones can be dropped by <see cref="KvCache.Truncate"/>; later steps forward only the
/// active part against them.</para>
/// <para>A shifted model (Dream) predicts position i from i-1, so the prefix's last token (the <i>anchor</i>, which
/// predicts the region's first token) moves from the context into the active part.</para>
/// </summary>
public sealed class InfillDecoder(Qwen2Model model, SpecialTokenIds specials, Device device)
{
    public InfillResult Decode(int[] prefix, int[] suffix, int budget, CommitPolicy policy, InfillOptions options, ulong seed = 0)
    {
        if (budget <= 0) return new InfillResult([], 0, 0);
        bool shifted = model.Config.Shifted;
        int anchor = shifted && prefix.Length > 0 ? 1 : 0;
        var context = prefix[..^anchor];
        var region = Enumerable.Repeat(specials.Mask, budget).ToArray();
        int activeStart = prefix.Length - anchor; // the position of the active part's first token
        int blockSize = options.BlockSize <= 0 ? budget : options.BlockSize;
        int steps = 0, forwards = 0, remasksLeft = options.RemaskBudget;
        var confidence = new float[budget];
        KvCache? cache = null;
        int stepsSinceRefresh = 0;
        using var noGrad = no_grad();
        try
        {
            while (Array.IndexOf(region, specials.Mask) is var firstMasked && firstMasked >= 0)
            {
                int stepsLeft = Math.Max(1, options.MaxSteps - steps);
                int block = firstMasked / blockSize;
                int blockStart = block * blockSize, blockEnd = Math.Min(budget, blockStart + blockSize);
                bool full = !options.UseCache || cache is null || stepsSinceRefresh >= options.RefreshEvery;
                using var scope = NewDisposeScope();
                var active = prefix[activeStart..].Concat(region).ToArray();
                Tensor activeHidden;
                if (full)
                {
                    cache?.Dispose();
                    cache = options.UseCache ? new KvCache(model.Config.NumLayers) : null;
                    activeHidden = FullForward(context, suffix, active, cache);
                    stepsSinceRefresh = 0;
                }
                else
                {
                    var ids = tensor(active.Select(t => (long)t).ToArray(), [1, active.Length], dtype: int64, device: device);
                    var positions = arange(activeStart, activeStart + active.Length, dtype: int64, device: device).unsqueeze(0);
                    activeHidden = model.ForwardHidden(ids, AttentionMode.Bidirectional, positionIds: positions, cache: cache).squeeze(0);
                }
                forwards++;
                steps++;
                stepsSinceRefresh++;

                var positionsInBlock = Enumerable.Range(blockStart, blockEnd - blockStart).Where(i => region[i] == specials.Mask).ToList();
                // Region position k is predicted from active index k (unshifted) or the token before it (shifted).
                var predictors = positionsInBlock.Select(k => (long)(shifted ? Math.Max(0, anchor + k - 1) : k)).ToArray();
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
                if (options.PadEndsRegion) PadAfterFirstEnd(region, confidence);
                if (remasksLeft > 0 && steps < options.MaxSteps - 1)
                    remasksLeft -= Remask(region, confidence, blockStart, blockEnd, options.RemaskBelow, remasksLeft);
                bool blockDone = positionsInBlock.Count > 0 && region.AsSpan(blockStart, blockEnd - blockStart).IndexOf(specials.Mask) < 0;
                if (blockDone && blockEnd < budget) stepsSinceRefresh = int.MaxValue; // Fast-dLLM: refresh the cache per block
                if (steps >= options.MaxSteps * 4) throw new InvalidOperationException("decoder did not terminate"); // defensive: policies commit ≥1 per step
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
    /// Forward of [context | suffix | active] with true positions (the active part sits between the context and the
    /// suffix in the document); returns the active part's hidden states [active, D].
    /// </summary>
    Tensor FullForward(int[] context, int[] suffix, int[] active, KvCache? cache)
    {
        int c = context.Length, s = suffix.Length, a = active.Length;
        int suffixStart = c + a; // context, then the anchor (if any) and the region, then the suffix
        var ids = context.Concat(suffix).Concat(active).Select(t => (long)t).ToArray();
        var positions = Enumerable.Range(0, c).Concat(Enumerable.Range(suffixStart, s)).Concat(Enumerable.Range(c, a)).Select(i => (long)i).ToArray();
        var hidden = model.ForwardHidden(
            tensor(ids, [1, ids.Length], dtype: int64, device: device), AttentionMode.Bidirectional,
            positionIds: tensor(positions, [1, ids.Length], dtype: int64, device: device),
            cache: cache, appendToCache: cache is not null);
        cache?.Truncate(c + s);
        return hidden.squeeze(0).narrow(0, c + s, a);
    }

    /// <summary>Every masked position after the first committed pad/end token becomes pad (with that token's confidence).</summary>
    void PadAfterFirstEnd(int[] region, float[] confidence)
    {
        int end = Array.FindIndex(region, t => t == specials.Pad || t == specials.End);
        if (end < 0) return;
        for (int i = end + 1; i < region.Length; i++)
            if (region[i] == specials.Mask) { region[i] = specials.Pad; confidence[i] = confidence[end]; }
    }

    /// <summary>Re-masks the least confident committed tokens of the block below the threshold; returns how many.</summary>
    int Remask(int[] region, float[] confidence, int start, int end, float below, int budget)
    {
        var weakest = Enumerable.Range(start, end - start)
            .Where(i => region[i] != specials.Mask && confidence[i] < below)
            .OrderBy(i => confidence[i]).Take(Math.Min(budget, 1)).ToList();
        // Never re-mask the whole block: at least one commit from this step must stand, or decoding could loop.
        if (weakest.Count == 0 || Enumerable.Range(start, end - start).Count(i => region[i] != specials.Mask) <= weakest.Count) return 0;
        foreach (var i in weakest) { region[i] = specials.Mask; confidence[i] = 0; }
        return weakest.Count;
    }
}
