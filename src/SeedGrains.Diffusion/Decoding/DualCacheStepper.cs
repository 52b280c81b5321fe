using SeedGrains.Diffusion.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Decoding;

/// <summary>
/// The batched denoising step with a per-row dual cache (Fast-dLLM): a row that comes back step after step (a
/// session, named by <see cref="DenoiseStepRequest.CacheKey"/>) has its context — every position that is neither
/// masked nor predicts a mask — run through the model once, and later steps forward only the few <i>active</i>
/// positions against the kept keys/values. The context is recomputed (exactly) every
/// <see cref="DualCacheOptions.RefreshEvery"/> steps, or as soon as the row's window changes outside its active
/// positions (an edit, a moved window).
/// <para>Each call runs at most two batched forwards: one for rows that need a full forward (fed as
/// [context | active] with true RoPE positions, so the context's keys/values come out as one contiguous cache
/// prefix) and one for rows served from their cache (the row caches padded into one batch).</para>
/// Not thread-safe: the service calls it from one compute thread per device.
/// </summary>
public sealed class DualCacheStepper : IDenoiseStepper, IDisposable
{
    readonly Qwen2Model model;
    readonly SpecialTokenIds specials;
    readonly Device device;
    readonly DualCacheOptions options;
    readonly ContextCacheStore store;

    public DualCacheStepper(Qwen2Model model, SpecialTokenIds specials, Device device, int maxWindow, DualCacheOptions options)
    {
        options.Validate();
        this.model = model;
        this.specials = specials;
        this.device = device;
        this.options = options;
        MaxWindow = maxWindow;
        store = new ContextCacheStore(options.MaxEntries);
    }

    public SpecialTokenIds Specials => specials;
    public int MaxWindow { get; }

    /// <summary>Forward passes run so far.</summary>
    public long Forwards { get; private set; }

    /// <summary>Rows stepped with a full forward / from their cache so far.</summary>
    public long FullRows { get; private set; }
    public long CachedRows { get; private set; }

    /// <summary>Rows whose context is kept now.</summary>
    public int CachedContexts => store.Count;

    int PredictorOf(int i) => model.Config.PredictorOf(i);

    /// <summary>A finished row's context is dead weight (~3.5 MB for the bundled model): free it now, not at eviction.</summary>
    public void Forget(string cacheKey) => store.Remove(cacheKey);

    public IReadOnlyList<DenoiseStepResult> Step(IReadOnlyList<DenoiseStepRequest> batch, CancellationToken cancellationToken = default)
    {
        foreach (var r in batch)
            if (r.Tokens.Length == 0 || r.Tokens.Length > MaxWindow)
                throw new ArgumentException($"a row has {r.Tokens.Length} tokens; rows must have 1..{MaxWindow}");
        cancellationToken.ThrowIfCancellationRequested();

        var results = new DenoiseStepResult[batch.Count];
        var full = new List<RowPlan>();
        var cached = new List<RowPlan>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int r = 0; r < batch.Count; r++)
        {
            var tokens = batch[r].Tokens;
            // Only the masks this step may commit are active; the others stay in the context as masks.
            var masked = Enumerable.Range(0, tokens.Length).Where(i => tokens[i] == specials.Mask && batch[r].MayCommit(i)).ToArray();
            if (masked.Length == 0) { results[r] = new DenoiseStepResult([]); continue; }
            // A key twice in one batch: only its first row may use or replace the entry.
            var key = batch[r].CacheKey is { } k && seen.Add(k) ? k : null;
            var entry = key is null ? null : store.Get(key);
            if (entry is not null && entry.StepsServed < options.RefreshEvery && entry.Serves(tokens, masked, PredictorOf, specials.Mask))
                cached.Add(new RowPlan(r, masked, entry.Active, entry, key));
            else
                full.Add(new RowPlan(r, masked, masked.Concat(masked.Select(PredictorOf)).Distinct().Order().ToArray(), null, key));
        }

        var fresh = new List<(string Key, ContextEntry Entry)>();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            // Cached rows first, and new contexts stored only after both forwards: storing may evict an entry, and
            // no entry this step reads may be disposed before it is read.
            if (cached.Count > 0) Commit(batch, cached, CachedForward(batch, cached), results);
            if (full.Count > 0) Commit(batch, full, FullForward(batch, full, fresh), results);
        }
        catch
        {
            foreach (var (_, entry) in fresh) entry.Dispose();
            throw;
        }
        foreach (var (key, entry) in fresh) store.Put(key, entry);
        // A row that went through a full forward without keeping a context (nothing outside its masks): its old one is stale.
        foreach (var plan in full)
            if (plan.Key is { } key && !fresh.Exists(f => f.Key == key))
                store.Remove(key);
        // A row that filled its last mask will not come back: free its context now rather than when it ages out (a row
        // that only filled its commit range may come back, but its next range's masks were context: it needs a full
        // forward anyway). (A row
        // whose region a pad ended early is finished by its caller's pad-ends-region rule, which this stepper does not
        // know: the caller calls Forget for it.)
        foreach (var plan in full.Concat(cached))
            if (plan.Key is { } key && results[plan.Row].Commits.Count == plan.Masked.Length)
                store.Remove(key);
        return results;
    }

    /// <summary>
    /// One row of a step: its masked positions, the positions forwarded this step (sorted; for a cached row the set
    /// fixed at its last full forward, a superset of today's masks) and its cache key (null: nothing is kept).
    /// </summary>
    sealed record RowPlan(int Row, int[] Masked, int[] Active, ContextEntry? Entry, string? Key);

    /// <summary>
    /// [context | active] for every row (context and active parts each right-padded to the longest), one forward,
    /// and the context keys/values kept for rows with a cache key. Returns the active hidden states [B, A, D].
    /// </summary>
    Tensor FullForward(IReadOnlyList<DenoiseStepRequest> batch, List<RowPlan> plans, List<(string Key, ContextEntry Entry)> fresh)
    {
        var contexts = plans.Select(p => Enumerable.Range(0, batch[p.Row].Tokens.Length).Except(p.Active).ToArray()).ToArray();
        int c = contexts.Max(x => x.Length), a = plans.Max(p => p.Active.Length), width = c + a, rows = plans.Count;
        var ids = new long[rows * width];
        var positions = new long[rows * width];
        var real = new bool[rows * width];
        for (int b = 0; b < rows; b++)
        {
            var tokens = batch[plans[b].Row].Tokens;
            Place(ids, positions, real, b * width, c, tokens, contexts[b]);
            Place(ids, positions, real, b * width + c, a, tokens, plans[b].Active);
        }
        // RefreshEvery 1: a kept context would never be read.
        bool keep = c > 0 && options.RefreshEvery > 1 && plans.Any(p => p.Key is not null);
        using var cache = keep ? new KvCache(model.Config.NumLayers) : null;
        var hidden = model.ForwardHidden(
            tensor(ids, [rows, width], dtype: int64, device: device), AttentionMode.Bidirectional,
            real.All(x => x) ? null : tensor(real, [rows, width], device: device),
            tensor(positions, [rows, width], dtype: int64, device: device), cache, appendToCache: keep);
        Forwards++;
        FullRows += rows;
        if (cache is not null)
        {
            cache.Truncate(c);
            for (int b = 0; b < rows; b++)
            {
                if (plans[b].Key is not { } key || contexts[b].Length == 0) continue;
                fresh.Add((key, new ContextEntry((int[])batch[plans[b].Row].Tokens.Clone(), plans[b].Active, cache.Row(b, contexts[b].Length))));
            }
        }
        return hidden.narrow(1, c, a);
    }

    /// <summary>The active positions of every row against its kept context, in one padded batch; returns [B, A, D].</summary>
    Tensor CachedForward(IReadOnlyList<DenoiseStepRequest> batch, List<RowPlan> plans)
    {
        int a = plans.Max(p => p.Active.Length), rows = plans.Count;
        var ids = new long[rows * a];
        var positions = new long[rows * a];
        var real = new bool[rows * a];
        for (int b = 0; b < rows; b++)
        {
            Place(ids, positions, real, b * a, a, batch[plans[b].Row].Tokens, plans[b].Active);
            plans[b].Entry!.StepsServed++;
        }
        using var context = KvCache.Stack(plans.Select(p => p.Entry!.Context).ToList());
        var hidden = model.ForwardHidden(
            tensor(ids, [rows, a], dtype: int64, device: device), AttentionMode.Bidirectional,
            real.All(x => x) ? null : tensor(real, [rows, a], device: device),
            tensor(positions, [rows, a], dtype: int64, device: device), context);
        Forwards++;
        CachedRows += rows;
        return hidden;
    }

    /// <summary>
    /// Fills <paramref name="span"/> slots from <paramref name="offset"/>: the tokens at <paramref name="take"/> with their
    /// true positions, then padding (a pad token, masked out as a key; its own output is never read).
    /// </summary>
    void Place(long[] ids, long[] positions, bool[] real, int offset, int span, int[] tokens, int[] take)
    {
        for (int i = 0; i < span; i++)
        {
            bool isReal = i < take.Length;
            ids[offset + i] = isReal ? tokens[take[i]] : specials.Pad;
            positions[offset + i] = isReal ? take[i] : 0;
            real[offset + i] = isReal;
        }
    }

    /// <summary>LM head on each masked position's predictor, then each row's own policy and seed choose its commits.</summary>
    void Commit(IReadOnlyList<DenoiseStepRequest> batch, List<RowPlan> plans, Tensor activeHidden, DenoiseStepResult[] results)
    {
        int a = (int)activeHidden.shape[1];
        var gather = new List<long>();
        foreach (var (plan, b) in plans.Select((p, b) => (p, b)))
            foreach (var m in plan.Masked)
                gather.Add(b * a + Array.BinarySearch(plan.Active, PredictorOf(m)));
        var logits = model.LmHead(activeHidden.reshape(plans.Count * a, -1).index_select(0, tensor(gather.ToArray(), dtype: int64, device: device)));
        int offset = 0;
        foreach (var plan in plans)
        {
            var request = batch[plan.Row];
            var candidates = TokenScorer.Score(logits.narrow(0, offset, plan.Masked.Length), plan.Masked, specials.Mask, request.Policy, request.Seed);
            offset += plan.Masked.Length;
            var chosen = CommitSelector.Select(candidates, request.Policy, request.StepsLeft);
            results[plan.Row] = new DenoiseStepResult(chosen.Select(c => new TokenCommit(c.Position, c.Token, c.Confidence)).ToArray());
        }
    }

    public void Dispose() => store.Dispose();
}
