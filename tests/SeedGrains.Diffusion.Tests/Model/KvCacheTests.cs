using SeedGrains.Diffusion.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Tests.Model;

/// <summary>Cached forwards give the same numbers as full forwards (tied GQA 3:1 model, rope_theta 1e6).</summary>
public sealed class KvCacheTests : IDisposable
{
    private const float Tolerance = 1e-4f;
    private readonly Qwen2Model model = TinyModels.Create(TinyModels.TiedConfig());
    private readonly IDisposable noGrad = no_grad();

    public void Dispose()
    {
        noGrad.Dispose();
        model.Dispose();
    }

    [Fact]
    public void CausalPrefixThenTokenByTokenEqualsFullForward()
    {
        using var scope = NewDisposeScope();
        var ids = TinyModels.RandomIds(2, 20, model.Config.VocabSize, 11);
        var full = model.Forward(ids, AttentionMode.Causal);
        using var cache = model.CreateCache();
        var prefix = model.LmHead(model.ForwardHidden(ids.narrow(1, 0, 8), AttentionMode.Causal, cache: cache, appendToCache: true));
        Assert.True(TinyModels.MaxAbsDiff(prefix, full.narrow(1, 0, 8)) < Tolerance);
        for (var t = 8; t < 20; t++)
        {
            var step = model.LmHead(model.ForwardHidden(ids.narrow(1, t, 1), AttentionMode.Causal, cache: cache, appendToCache: true));
            Assert.True(TinyModels.MaxAbsDiff(step, full.narrow(1, t, 1)) < Tolerance, $"token {t}");
        }
        Assert.Equal(20, cache.Length);
        Assert.Equal(new long[] { 2, 2, 20, 8 }, cache.Keys(0)!.shape);
    }

    [Fact]
    public void CausalChunkAfterCacheIsCausalAmongItself()
    {
        using var scope = NewDisposeScope();
        var ids = TinyModels.RandomIds(1, 16, model.Config.VocabSize, 12);
        var full = model.Forward(ids, AttentionMode.Causal);
        using var cache = model.CreateCache();
        model.ForwardHidden(ids.narrow(1, 0, 6), AttentionMode.Causal, cache: cache, appendToCache: true);
        var chunk = model.LmHead(model.ForwardHidden(ids.narrow(1, 6, 10), AttentionMode.Causal, cache: cache));
        Assert.True(TinyModels.MaxAbsDiff(chunk, full.narrow(1, 6, 10)) < Tolerance);
        Assert.Equal(6, cache.Length);   // not appended
    }

    [Fact]
    public void BidirectionalBlockOverCachedPrefixEqualsBlockCausalForward()
    {
        // Block diffusion: the prefix is encoded on its own (bidirectionally), the block sees prefix + block.
        // Reference: one forward over [prefix | block] with that block-causal pattern as an explicit mask.
        using var scope = NewDisposeScope();
        const int prefixLength = 9, blockLength = 7, total = prefixLength + blockLength;
        var ids = TinyModels.RandomIds(2, total, model.Config.VocabSize, 13);
        var allowed = ones(total, total, ScalarType.Bool);
        allowed.narrow(0, 0, prefixLength).narrow(1, prefixLength, blockLength).fill_(false);
        var reference = model.LmHead(model.ForwardHiddenMasked(ids, allowed)).narrow(1, prefixLength, blockLength);

        using var cache = model.CreateCache();
        model.ForwardHidden(ids.narrow(1, 0, prefixLength), AttentionMode.Bidirectional, cache: cache, appendToCache: true);
        var block = model.LmHead(model.ForwardHidden(ids.narrow(1, prefixLength, blockLength), AttentionMode.Bidirectional, cache: cache));
        Assert.True(TinyModels.MaxAbsDiff(block, reference) < Tolerance);

        // Sanity: the plain bidirectional forward (prefix sees the block) is different.
        var leaky = model.Forward(ids, AttentionMode.Bidirectional).narrow(1, prefixLength, blockLength);
        Assert.True(TinyModels.MaxAbsDiff(block, leaky) > 1e-3);
    }

    [Fact]
    public void ExplicitMaskReproducesBothModes()
    {
        using var scope = NewDisposeScope();
        var ids = TinyModels.RandomIds(2, 10, model.Config.VocabSize, 14);
        var all = ones(10, 10, ScalarType.Bool);
        Assert.True(TinyModels.MaxAbsDiff(model.ForwardHiddenMasked(ids, all), model.ForwardHidden(ids, AttentionMode.Bidirectional)) < 1e-5);
        Assert.True(TinyModels.MaxAbsDiff(model.ForwardHiddenMasked(ids, all.tril()), model.ForwardHidden(ids, AttentionMode.Causal)) < 1e-5);
    }

    [Fact]
    public void PaddedRowsInOneCacheEqualEachRowAlone()
    {
        // Two prompts of lengths 5 and 8, right-padded to 8, cached together; then each row continues at its own
        // position. Every real logit must equal that row run alone with its own cache.
        using var scope = NewDisposeScope();
        int[] lengths = [5, 8];
        var ids = TinyModels.RandomIds(2, 8, model.Config.VocabSize, 15);
        var keyMask = tensor(new long[,] { { 1, 1, 1, 1, 1, 0, 0, 0 }, { 1, 1, 1, 1, 1, 1, 1, 1 } });
        var next = TinyModels.RandomIds(2, 3, model.Config.VocabSize, 16);

        using var batched = model.CreateCache();
        model.ForwardHidden(ids, AttentionMode.Causal, keyMask, cache: batched, appendToCache: true);
        var positions = tensor(new long[,] { { 5, 6, 7 }, { 8, 9, 10 } });
        var batchedNext = model.LmHead(model.ForwardHidden(next, AttentionMode.Causal, positionIds: positions, cache: batched, appendToCache: true));
        Assert.Equal(11, batched.Length);
        Assert.NotNull(batched.KeyMask);

        for (var row = 0; row < 2; row++)
        {
            using var alone = model.CreateCache();
            model.ForwardHidden(ids.narrow(0, row, 1).narrow(1, 0, lengths[row]), AttentionMode.Causal, cache: alone, appendToCache: true);
            var aloneNext = model.LmHead(model.ForwardHidden(next.narrow(0, row, 1), AttentionMode.Causal, cache: alone, appendToCache: true));
            Assert.True(TinyModels.MaxAbsDiff(batchedNext.narrow(0, row, 1), aloneNext) < Tolerance, $"row {row}");
        }
    }

    [Fact]
    public void CloneIsIndependentAndTruncateRewinds()
    {
        using var scope = NewDisposeScope();
        var ids = TinyModels.RandomIds(1, 12, model.Config.VocabSize, 17);
        var full = model.Forward(ids, AttentionMode.Causal);
        using var cache = model.CreateCache();
        model.ForwardHidden(ids.narrow(1, 0, 10), AttentionMode.Causal, cache: cache, appendToCache: true);

        using var branch = cache.Clone();
        var other = TinyModels.RandomIds(1, 4, model.Config.VocabSize, 18);
        model.ForwardHidden(other, AttentionMode.Causal, cache: branch, appendToCache: true);
        Assert.Equal(14, branch.Length);
        Assert.Equal(10, cache.Length);

        cache.Truncate(8);
        Assert.Equal(8, cache.Length);
        Assert.Equal(8, cache.Values(2)!.shape[2]);
        var resumed = model.LmHead(model.ForwardHidden(ids.narrow(1, 8, 4), AttentionMode.Causal, cache: cache, appendToCache: true));
        Assert.True(TinyModels.MaxAbsDiff(resumed, full.narrow(1, 8, 4)) < Tolerance);
    }

    [Fact]
    public void KeepSelectsEntriesInTheGivenOrder()
    {
        using var scope = NewDisposeScope();
        var ids = TinyModels.RandomIds(1, 6, model.Config.VocabSize, 21);
        using var cache = model.CreateCache();
        model.ForwardHidden(ids, AttentionMode.Bidirectional, cache: cache, appendToCache: true);
        var keys = cache.Keys(1)!.clone();
        var values = cache.Values(1)!.clone();
        cache.Keep([4, 0, 2]);
        Assert.Equal(3, cache.Length);
        var order = tensor(new long[] { 4, 0, 2 });
        Assert.True(cache.Keys(1)!.allclose(keys.index_select(2, order), rtol: 0, atol: 0));
        Assert.True(cache.Values(1)!.allclose(values.index_select(2, order), rtol: 0, atol: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Keep([3]));

        cache.Keep([]); // nothing kept, and the cache still takes appends
        Assert.Equal(0, cache.Length);
        model.ForwardHidden(ids, AttentionMode.Bidirectional, cache: cache, appendToCache: true);
        Assert.Equal(6, cache.Length);
    }

    [Fact]
    public void KeepSelectsTheKeyMaskOfAStackedCacheToo()
    {
        using var scope = NewDisposeScope();
        using var a = model.CreateCache();
        using var b = model.CreateCache();
        model.ForwardHidden(TinyModels.RandomIds(1, 3, model.Config.VocabSize, 22), AttentionMode.Bidirectional, cache: a, appendToCache: true);
        model.ForwardHidden(TinyModels.RandomIds(1, 2, model.Config.VocabSize, 23), AttentionMode.Bidirectional, cache: b, appendToCache: true);
        using var stacked = KvCache.Stack([a, b]);
        stacked.Keep([2, 0]);
        Assert.Equal(new[] { true, true, false, true }, stacked.KeyMask!.data<bool>().ToArray()); // row b has no position 2
        Assert.Equal(2, stacked.Keys(0)!.shape[2]);
    }

    [Fact]
    public void UncommittedLayerAppendsAreRolledBack()
    {
        // What a forward that throws half-way leaves behind: layer 0 already appended, the rest not.
        using var scope = NewDisposeScope();
        using var cache = model.CreateCache();
        model.ForwardHidden(TinyModels.RandomIds(1, 4, model.Config.VocabSize, 25), AttentionMode.Causal, cache: cache, appendToCache: true);
        var extra = zeros(1, 2, 3, 8);
        cache.Extend(0, extra, extra, append: true);
        Assert.Equal(7, cache.Keys(0)!.shape[2]);
        cache.RollbackUncommitted();
        Assert.Equal(4, cache.Keys(0)!.shape[2]);
        Assert.Equal(4, cache.Values(0)!.shape[2]);
        Assert.Equal(4, cache.Length);
    }

    [Fact]
    public void MismatchedBatchIsRejected()
    {
        using var scope = NewDisposeScope();
        using var cache = model.CreateCache();
        model.ForwardHidden(TinyModels.RandomIds(2, 4, model.Config.VocabSize, 19), AttentionMode.Causal, cache: cache, appendToCache: true);
        Assert.Throws<ArgumentException>(() => model.ForwardHidden(TinyModels.RandomIds(3, 1, model.Config.VocabSize, 20), AttentionMode.Causal, cache: cache));
    }
}
