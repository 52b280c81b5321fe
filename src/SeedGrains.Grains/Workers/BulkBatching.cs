namespace SeedGrains.Grains.Workers;

/// <summary>
/// How bulk-priority rows are batched on one device: at most <paramref name="MaxRows"/> of them per batch, and beside
/// interactive rows only when <paramref name="BesideInteractive"/>. See <see cref="BatchingOptions.MaxBulkBatchSize"/>.
/// </summary>
internal readonly record struct BulkBatching(int MaxRows, bool BesideInteractive)
{
    /// <summary>No limit beyond the batch size: bulk rows fill any free slot (the rule before bulk limits existed).</summary>
    public static BulkBatching Unlimited => new(int.MaxValue, true);
}
