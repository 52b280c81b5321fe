using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>
/// Keys and values of already-processed positions, per layer [B, kvHeads, S, headDim] (after RoPE), plus which of
/// those positions are real tokens (so batched rows of different lengths can share one cache). The cache owns its
/// tensors: they live outside any dispose scope until <see cref="Truncate"/>, <see cref="Dispose"/> or replacement.
/// Fill it with <see cref="Qwen2Model.ForwardHidden"/> and <c>appendToCache: true</c>.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] keys;
    private readonly Tensor?[] values;
    private Tensor? keyMask;
    private bool disposed;

    public KvCache(int numLayers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numLayers);
        keys = new Tensor?[numLayers];
        values = new Tensor?[numLayers];
    }

    /// <summary>Number of layers the cache holds.</summary>
    public int NumLayers => keys.Length;

    /// <summary>Cached positions per row (padding included).</summary>
    public long Length { get; private set; }

    /// <summary>Rows in the cache; 0 while it is empty.</summary>
    public long BatchSize => keys[0]?.shape[0] ?? 0;

    /// <summary>[B, Length] bool, true = real token; null means every cached position is real.</summary>
    public Tensor? KeyMask => keyMask;

    /// <summary>Cached keys of one layer [B, kvHeads, Length, headDim], or null when empty.</summary>
    public Tensor? Keys(int layer) => keys[layer];

    /// <summary>Cached values of one layer [B, kvHeads, Length, headDim], or null when empty.</summary>
    public Tensor? Values(int layer) => values[layer];

    /// <summary>An independent copy (e.g. to branch several continuations from one prefix).</summary>
    public KvCache Clone()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var copy = new KvCache(NumLayers) { Length = Length };
        for (var i = 0; i < NumLayers; i++)
        {
            copy.keys[i] = keys[i]?.clone().DetachFromDisposeScope();
            copy.values[i] = values[i]?.clone().DetachFromDisposeScope();
        }
        copy.keyMask = keyMask?.clone().DetachFromDisposeScope();
        return copy;
    }

    /// <summary>An independent copy of one row's first <paramref name="length"/> positions (a one-row cache, no padding).</summary>
    public KvCache Row(int row, long length)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (row < 0 || row >= BatchSize) throw new ArgumentOutOfRangeException(nameof(row), $"the cache holds {BatchSize} rows");
        if (length < 0 || length > Length) throw new ArgumentOutOfRangeException(nameof(length), $"the cache holds {Length} positions");
        var copy = new KvCache(NumLayers) { Length = length };
        for (var i = 0; i < NumLayers; i++)
        {
            // clone, not contiguous(): a slice that is already contiguous would stay a view of the whole batch's tensor.
            copy.keys[i] = keys[i]!.narrow(0, row, 1).narrow(2, 0, length).clone().DetachFromDisposeScope();
            copy.values[i] = values[i]!.narrow(0, row, 1).narrow(2, 0, length).clone().DetachFromDisposeScope();
        }
        return copy;
    }

    /// <summary>
    /// One-row caches of different lengths as one batch: each row right-padded to the longest, the padding marked
    /// as not real in <see cref="KeyMask"/> (so a batched forward attends to each row's own positions only).
    /// </summary>
    public static KvCache Stack(IReadOnlyList<KvCache> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("no rows to stack", nameof(rows));
        var first = rows[0];
        foreach (var r in rows)
        {
            ObjectDisposedException.ThrowIf(r.disposed, r);
            if (r.NumLayers != first.NumLayers || r.BatchSize != 1 || r.KeyMask is not null || r.Length == 0)
                throw new ArgumentException("Stack takes non-empty one-row caches without padding, all with the same layers");
        }
        long length = rows.Max(r => r.Length);
        var stacked = new KvCache(first.NumLayers) { Length = length };
        using var scope = NewDisposeScope();
        for (var i = 0; i < first.NumLayers; i++)
        {
            stacked.keys[i] = cat(rows.Select(r => PadPositions(r.keys[i]!, length)).ToArray(), 0).DetachFromDisposeScope();
            stacked.values[i] = cat(rows.Select(r => PadPositions(r.values[i]!, length)).ToArray(), 0).DetachFromDisposeScope();
        }
        if (rows.Any(r => r.Length < length))
        {
            // Built on the host: no per-row comparison ops (and no implicit Scalars) on this per-step path.
            var real = new bool[rows.Count * length];
            for (var r = 0; r < rows.Count; r++) Array.Fill(real, true, (int)(r * length), (int)rows[r].Length);
            stacked.keyMask = tensor(real, [rows.Count, length], device: first.keys[0]!.device).DetachFromDisposeScope();
        }
        return stacked;
    }

    private static Tensor PadPositions(Tensor t, long length) =>
        t.shape[2] == length ? t : nn.functional.pad(t, [0, 0, 0, length - t.shape[2]]);

    /// <summary>Keeps the first <paramref name="length"/> positions (e.g. to drop a block that is being re-denoised).</summary>
    public void Truncate(long length)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (length < 0 || length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"cannot truncate a cache of length {Length} to {length}");
        }
        if (length == Length)
        {
            return;
        }
        for (var i = 0; i < NumLayers; i++)
        {
            keys[i] = Narrowed(keys[i], 2, length);
            values[i] = Narrowed(values[i], 2, length);
        }
        keyMask = Narrowed(keyMask, 1, length);
        Length = length;
    }

    /// <summary>
    /// Keeps the cached positions at <paramref name="indices"/> (cache order), in that order — e.g. to take a block that
    /// becomes active out of a context cache. For bidirectional attention the order of entries is free (keys carry
    /// their rotary position); a causal forward builds its mask from cache order, so do not reorder a causal cache.
    /// </summary>
    public void Keep(IReadOnlyList<long> indices)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Any(i => i < 0 || i >= Length))
            throw new ArgumentOutOfRangeException(nameof(indices), $"indices must lie in [0, {Length})");
        if (Length == 0) return;
        using var index = tensor(indices.ToArray(), dtype: ScalarType.Int64, device: keys[0]!.device);
        for (var i = 0; i < NumLayers; i++)
        {
            keys[i] = Selected(keys[i], 2, index);
            values[i] = Selected(values[i], 2, index);
        }
        keyMask = Selected(keyMask, 1, index);
        Length = indices.Count;
    }

    private static Tensor? Selected(Tensor? tensor, int dim, Tensor index)
    {
        if (tensor is null) return null;
        var kept = tensor.index_select(dim, index).DetachFromDisposeScope();
        tensor.Dispose();
        return kept;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        for (var i = 0; i < NumLayers; i++)
        {
            keys[i]?.Dispose();
            values[i]?.Dispose();
            keys[i] = values[i] = null;
        }
        keyMask?.Dispose();
        keyMask = null;
    }

    /// <summary>Checks that a forward of <paramref name="batch"/> rows may use this cache.</summary>
    internal void CheckUsableFor(long batch, int numLayers)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (numLayers != NumLayers)
        {
            throw new ArgumentException($"KV cache has {NumLayers} layers but the model has {numLayers}");
        }
        if (Length > 0 && BatchSize != batch)
        {
            throw new ArgumentException($"KV cache holds {BatchSize} rows but the input has {batch}");
        }
    }

    /// <summary>
    /// Keys/values of the cached positions followed by <paramref name="newKeys"/>/<paramref name="newValues"/> (in the
    /// caller's dispose scope); when <paramref name="append"/> the cache keeps the concatenation for later forwards.
    /// </summary>
    internal (Tensor Keys, Tensor Values) Extend(int layer, Tensor newKeys, Tensor newValues, bool append)
    {
        var k = keys[layer] is { } pastK ? cat([pastK, newKeys], 2) : newKeys;
        var v = values[layer] is { } pastV ? cat([pastV, newValues], 2) : newValues;
        if (append)
        {
            keys[layer]?.Dispose();
            values[layer]?.Dispose();
            // detach: a cache must not hold an autograd graph alive.
            keys[layer] = k.detach().DetachFromDisposeScope();
            values[layer] = v.detach().DetachFromDisposeScope();
        }
        return (k, v);
    }

    /// <summary>Records <paramref name="count"/> appended positions and their key mask ([B, count] bool, null = all real).</summary>
    internal void CommitAppend(long count, Tensor? newKeyMask, long batch)
    {
        if (keyMask is not null || newKeyMask is not null)
        {
            var device = (newKeyMask ?? keyMask)!.device;
            using var past = keyMask ?? ones(batch, Length, ScalarType.Bool, device);
            using var added = newKeyMask is null ? ones(batch, count, ScalarType.Bool, device) : null;
            var combined = cat([past, newKeyMask ?? added!], 1).DetachFromDisposeScope();
            keyMask = combined;
        }
        Length += count;
    }

    /// <summary>Undoes the per-layer appends of a forward that failed before <see cref="CommitAppend"/>.</summary>
    internal void RollbackUncommitted()
    {
        for (var i = 0; i < NumLayers; i++)
        {
            if (keys[i] is { } k && k.shape[2] > Length)
            {
                keys[i] = Length == 0 ? Dropped(k) : Narrowed(k, 2, Length);
            }
            if (values[i] is { } v && v.shape[2] > Length)
            {
                values[i] = Length == 0 ? Dropped(v) : Narrowed(v, 2, Length);
            }
        }
    }

    private static Tensor? Dropped(Tensor tensor)
    {
        tensor.Dispose();
        return null;
    }

    private static Tensor? Narrowed(Tensor? tensor, int dim, long length)
    {
        if (tensor is null)
        {
            return null;
        }
        var kept = tensor.narrow(dim, 0, length).contiguous().DetachFromDisposeScope();
        tensor.Dispose();
        return kept;
    }
}
