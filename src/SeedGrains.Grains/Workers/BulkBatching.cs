namespace SeedGrains.Grains.Workers;

/// <summary>
/// How bulk-priority rows are batched on one device: at most <paramref name="MaxRows"/> of them per batch, beside
/// interactive rows only when <paramref name="BesideInteractive"/>, and first in the batch after
/// <paramref name="MaxPassOvers"/> batches in a row left them waiting (0 = never: strict priority).
/// See <see cref="BatchingOptions.MaxBulkBatchSize"/> and <see cref="BatchingOptions.MaxBulkPassOvers"/>.
/// </summary>
internal readonly record struct BulkBatching(int MaxRows, bool BesideInteractive, int MaxPassOvers = 0)
{
    /// <summary>No limit beyond the batch size: bulk rows fill any free slot (the rule before bulk limits existed).</summary>
    public static BulkBatching Unlimited => new(int.MaxValue, true);
}
