namespace SeedGrains.Diffusion.Decoding;

/// <summary>How <see cref="DualCacheStepper"/> keeps each row's context.</summary>
/// <param name="RefreshEvery">Full forwards (exact) at least every this many steps of a row; 1 = always, which equals
/// <see cref="DenoiseStepper"/>. In between, the context's keys/values are those of the last full forward.</param>
/// <param name="MaxEntries">Rows whose context is kept (least recently used go first). Each costs
/// layers × 2 × window × kv-width floats (about 2.4 MB for the bundled model at 576 tokens).</param>
public sealed record DualCacheOptions(int RefreshEvery = 8, int MaxEntries = 64)
{
    public void Validate()
    {
        if (RefreshEvery < 1) throw new ArgumentOutOfRangeException(nameof(RefreshEvery), RefreshEvery, "RefreshEvery must be ≥ 1");
        if (MaxEntries < 1) throw new ArgumentOutOfRangeException(nameof(MaxEntries), MaxEntries, "MaxEntries must be ≥ 1");
    }
}
