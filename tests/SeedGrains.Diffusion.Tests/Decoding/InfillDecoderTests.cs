using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Training;
using TorchSharp;

namespace SeedGrains.Diffusion.Tests.Decoding;

public sealed class InfillDecoderTests
{
    readonly InfillDecoder decoder = new(TinyModels.Create(AttentionMode.Bidirectional), TinyModels.Specials, torch.CPU);
    readonly int[] prefix = TinyModels.Tokens(30, 1);
    readonly int[] suffix = TinyModels.Tokens(25, 2);

    public static TheoryData<CommitRule, int, bool> Settings => new()
    {
        { CommitRule.Confidence, 0, true }, { CommitRule.Confidence, 4, false },
        { CommitRule.TopK, 0, false }, { CommitRule.TopK, 4, true }, { CommitRule.EntropyBounded, 0, true },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void FillsTheWholeBudgetWithinTheStepCap(CommitRule rule, int blockSize, bool cache)
    {
        var options = new InfillOptions(BlockSize: blockSize, UseCache: cache, MaxSteps: 6);
        var result = decoder.Decode(prefix, suffix, budget: 12, new CommitPolicy(rule, Threshold: 0.95f, EntropyBound: 0.5f), options);
        Assert.InRange(result.Steps, 1, 6 + (blockSize > 0 ? 12 / blockSize : 0));
        Assert.DoesNotContain(TinyModels.Specials.Mask, result.Tokens);
        Assert.True(result.Tokens.Length <= 12);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MoreBlocksThanStepsTakeOneStepEach(bool cache)
    {
        // 10 blocks share a budget of 2 steps: each block's share is one step, so each is committed whole at once.
        var options = new InfillOptions(BlockSize: 4, UseCache: cache, MaxSteps: 2);
        var result = decoder.Decode(prefix, suffix, budget: 40, new CommitPolicy(CommitRule.TopK), options);
        Assert.Equal(10, result.Steps);
        Assert.DoesNotContain(TinyModels.Specials.Mask, result.Tokens);
    }

    [Fact]
    public void CachedDecodingWithARefreshEveryStepEqualsUncached()
    {
        var policy = new CommitPolicy(CommitRule.TopK);
        var uncached = decoder.Decode(prefix, suffix, 10, policy, new InfillOptions(UseCache: false, MaxSteps: 5));
        var exactCache = decoder.Decode(prefix, suffix, 10, policy, new InfillOptions(UseCache: true, RefreshEvery: 1, MaxSteps: 5));
        Assert.Equal(uncached.Tokens, exactCache.Tokens);
        Assert.Equal(uncached.Steps, exactCache.Steps);
    }

    [Fact]
    public void AShiftedModelsCachedDecodingWithARefreshEveryStepEqualsUncached()
    {
        var shifted = new InfillDecoder(TinyModels.Create(AttentionMode.Bidirectional, shifted: true), TinyModels.Specials, torch.CPU);
        var policy = new CommitPolicy(CommitRule.TopK);
        var uncached = shifted.Decode(prefix, suffix, 10, policy, new InfillOptions(UseCache: false, MaxSteps: 5));
        var exactCache = shifted.Decode(prefix, suffix, 10, policy, new InfillOptions(UseCache: true, RefreshEvery: 1, MaxSteps: 5));
        Assert.Equal(uncached.Tokens, exactCache.Tokens);
        Assert.Equal(uncached.Steps, exactCache.Steps);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BlockDecodingWithACacheOfOtherBlocksRefreshedEveryStepEqualsUncached(bool shifted)
    {
        // Cached block mode forwards only the block (and its anchor) against the cached prefix, suffix and other blocks.
        var blocks = new InfillDecoder(TinyModels.Create(AttentionMode.Bidirectional, seed: 3, shifted: shifted), TinyModels.Specials, torch.CPU);
        var policy = new CommitPolicy(CommitRule.Confidence, Threshold: 0.2f);
        var uncached = blocks.Decode(prefix, suffix, 10, policy, new InfillOptions(BlockSize: 4, UseCache: false, MaxSteps: 10));
        var exactCache = blocks.Decode(prefix, suffix, 10, policy, new InfillOptions(BlockSize: 4, UseCache: true, RefreshEvery: 1, MaxSteps: 10));
        Assert.Equal(uncached.Tokens, exactCache.Tokens);
        Assert.Equal(uncached.Steps, exactCache.Steps);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WithOneLayerAHandedOverCacheIsTheCacheOfAFullForward(bool shifted)
    {
        // One layer: a position's keys/values depend on its own token and position only, so after a hand-over the
        // next block's hidden states must equal a full forward's. A position missing or cached twice
        // would show.
        var model = TinyModels.Create(AttentionMode.Bidirectional, seed: 5, shifted: shifted, layers: 1);
        var oneLayer = new InfillDecoder(model, TinyModels.Specials, torch.CPU);
        int p = prefix.Length;
        var canvas = prefix.Concat(Enumerable.Repeat(TinyModels.Specials.Mask, 12)).Concat(suffix).ToArray();
        using var scope = torch.NewDisposeScope();
        using var cache = new KvCache(1);
        var first = oneLayer.ActivePositions(p, p + 4);
        var cached = Enumerable.Range(0, canvas.Length).Except(first).ToArray();
        oneLayer.FullForward(canvas, cached, first, cache);

        TinyModels.Tokens(4, 9).CopyTo(canvas, p); // block 0 finished
        var next = oneLayer.ActivePositions(p + 4, p + 8);
        var (active, nowCached) = oneLayer.HandOver(canvas, first, cached, next, cache);
        Assert.Equal(next, active);
        Assert.Equal(Enumerable.Range(0, canvas.Length).Except(next).Order(), nowCached.Order());
        Assert.Equal(nowCached.Length, cache.Length);

        var ids = torch.tensor(active.Select(i => (long)canvas[i]).ToArray(), [1, active.Length], dtype: torch.int64);
        var positions = torch.tensor(active.Select(i => (long)i).ToArray(), [1, active.Length], dtype: torch.int64);
        var handedOver = model.ForwardHidden(ids, AttentionMode.Bidirectional, positionIds: positions, cache: cache).squeeze(0);
        using var fresh = new KvCache(1);
        var reference = oneLayer.FullForward(canvas, Enumerable.Range(0, canvas.Length).Except(next).ToArray(), next, fresh);
        Assert.True(handedOver.allclose(reference, rtol: 0, atol: 1e-5), "the hand-over cache differs from a full forward's");
    }

    [Theory]
    [InlineData(false, false, 13, 0)]
    [InlineData(true, false, 13, 0)]
    [InlineData(false, true, 16, 3)]
    [InlineData(true, true, 16, 3)]
    public void WithOneLayerDecodingWithHandOversEqualsARefreshPerBlock(bool shifted, bool padEnds, int budget, int remask)
    {
        // The whole decode, not just one hand-over: with one layer the hand-over is exact, so tokens and steps must be
        // those of a full forward per block. Weights scaled up so the tiny model is confident and its choices vary.
        var model = TinyModels.Create(AttentionMode.Bidirectional, seed: 7, shifted: shifted, layers: 1);
        using (torch.no_grad())
            foreach (var (name, parameter) in model.named_parameters())
                if (!name.Contains("norm", StringComparison.Ordinal)) parameter.mul_(25);
        var oneLayer = new InfillDecoder(model, TinyModels.Specials, torch.CPU);
        var policy = new CommitPolicy(CommitRule.Confidence, Threshold: 0.2f);
        var options = new InfillOptions(BlockSize: 4, MaxSteps: 30, PadEndsRegion: padEnds, RemaskBudget: remask, RemaskBelow: 0.9f);
        var perBlock = oneLayer.Decode(prefix, suffix, budget, policy, options);
        var handedOver = oneLayer.Decode(prefix, suffix, budget, policy, options with { BlockHandover = true });
        Assert.Equal(perBlock.Tokens, handedOver.Tokens);
        Assert.Equal(perBlock.Steps, handedOver.Steps);
        Assert.Equal(perBlock.Steps, perBlock.Forwards);
        Assert.InRange(handedOver.Forwards - handedOver.Steps, 1, (budget + 3) / 4 - 1); // one forward per hand-over
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InfillDecodingEqualsDenoisingTheWholeCanvasInDocumentOrder(bool shifted)
    {
        // Two independent routes to the same decode: the infill decoder (reordered canvas, explicit positions, the
        // shifted model's anchor) and the service's stepper on [prefix | masks | suffix] in plain document order.
        var model = TinyModels.Create(AttentionMode.Bidirectional, shifted: shifted);
        var policy = new CommitPolicy(CommitRule.TopK);
        const int budget = 8, steps = 4;
        var infill = new InfillDecoder(model, TinyModels.Specials, torch.CPU)
            .Decode(prefix, suffix, budget, policy, new InfillOptions(UseCache: false, MaxSteps: steps));

        var stepper = new DenoiseStepper(model, TinyModels.Specials, torch.CPU, maxWindow: 512);
        var canvas = prefix.Concat(Enumerable.Repeat(TinyModels.Specials.Mask, budget)).Concat(suffix).ToArray();
        for (int step = 0; canvas.Contains(TinyModels.Specials.Mask); step++)
            foreach (var c in stepper.Step([new DenoiseStepRequest(canvas, policy, Seed: (ulong)step + 1, StepsLeft: steps - step)])[0].Commits)
                canvas[c.Position] = c.Token;
        var expected = canvas[prefix.Length..^suffix.Length].Where(t => t != TinyModels.Specials.Pad && t != TinyModels.Specials.End);
        Assert.Equal(expected, infill.Tokens);
    }

    [Fact]
    public void WithPadEndsRegionAPadCommitFillsTheRestOfTheRegionInTheSameStep()
    {
        // Final norm zeroed: every logit is 0, so argmax is token 0 — the end token — everywhere. The first commit is an
        // end token, and with the option that must end the region at once.
        var model = TinyModels.Create(AttentionMode.Bidirectional, seed: 4);
        using (torch.no_grad())
            model.named_parameters().Single(p => p.name == "model.norm.weight").parameter.zero_();
        var policy = new CommitPolicy(CommitRule.TopK);
        var decoder = new InfillDecoder(model, TinyModels.Specials, torch.CPU);
        var plain = decoder.Decode(prefix, suffix, 10, policy, new InfillOptions(MaxSteps: 10));
        var ended = decoder.Decode(prefix, suffix, 10, policy, new InfillOptions(MaxSteps: 10, PadEndsRegion: true));
        Assert.Equal(10, plain.Steps); // top-k over 10 steps: one commit per step
        Assert.Equal(1, ended.Steps);
        Assert.Empty(plain.Tokens); // end tokens are dropped from the result
        Assert.Empty(ended.Tokens);
    }

    [Fact]
    public void SameSeedSameOutputWhenSampling()
    {
        var policy = new CommitPolicy(CommitRule.TopK, Temperature: 1f, TopP: 0.9f);
        var a = decoder.Decode(prefix, suffix, 10, policy, new InfillOptions(MaxSteps: 4), seed: 5);
        var b = decoder.Decode(prefix, suffix, 10, policy, new InfillOptions(MaxSteps: 4), seed: 5);
        Assert.Equal(a.Tokens, b.Tokens);
    }

    [Fact]
    public void EndAndPadTokensAreRemovedFromTheResult()
    {
        // Zero the final norm: every logit is 0, so the greedy choice is the lowest id that is not [MASK] — End (0).
        var model = TinyModels.Create(AttentionMode.Bidirectional, seed: 4);
        using (torch.no_grad())
            model.named_parameters().First(p => p.name == "model.norm.weight").parameter.zero_();
        var result = new InfillDecoder(model, TinyModels.Specials, torch.CPU).Decode(prefix, suffix, 8, CommitPolicy.Default, InfillOptions.Default);
        Assert.Empty(result.Tokens);
    }
}

public sealed class ArInfillDecoderTests
{
    [Fact]
    public void CachedGreedyDecodingEqualsRecomputingThePrefixEveryToken()
    {
        var model = TinyModels.Create(AttentionMode.Causal, seed: 2);
        var vocab = new TrainingVocabulary(48, Mask: 1, Pad: 2, End: 0, FimPrefix: 3, FimSuffix: 4, FimMiddle: 5, EndsLine: new bool[48]);
        var prefix = TinyModels.Tokens(20, 3);
        var suffix = TinyModels.Tokens(15, 4);
        var result = new ArInfillDecoder(model, vocab, torch.CPU).Decode(prefix, suffix, maxNewTokens: 12);

        // Reference: no cache, the whole sequence forwarded for every new token.
        var sequence = new List<int> { 3 };
        sequence.AddRange(prefix); sequence.Add(4); sequence.AddRange(suffix); sequence.Add(5);
        var expected = new List<int>();
        using (torch.no_grad())
        {
            while (expected.Count < 12)
            {
                using var ids = torch.tensor(sequence.Select(t => (long)t).ToArray(), [1, sequence.Count]);
                using var logits = model.Forward(ids, AttentionMode.Causal);
                int next = (int)logits[0, -1].argmax().item<long>();
                if (next == vocab.End || next == vocab.Pad) break;
                expected.Add(next);
                sequence.Add(next);
            }
        }
        Assert.Equal(expected, result.Tokens);
        Assert.Equal(Math.Min(12, expected.Count + 1), result.Steps);
    }
}
