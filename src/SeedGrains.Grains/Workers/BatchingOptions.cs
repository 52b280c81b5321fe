namespace SeedGrains.Grains.Workers;

/// <summary>Configuration section <c>Batching</c>: how each device's compute loop forms batches.</summary>
public sealed class BatchingOptions
{
    public const string Section = "Batching";

    /// <summary>Most rows per stepper call.</summary>
    public int MaxBatchSize { get; set; } = 8;

    /// <summary>How long the loop waits for a batch to fill once a first row is queued.</summary>
    public double MaxBatchWaitMs { get; set; } = 2;

    /// <summary>
    /// How long the loop may wait, at most, for the sessions of its last batch that still have masks: they are about
    /// to send their next step, and a batch closed before they arrive splits into several small ones.
    /// </summary>
    public double ReturnWaitMs { get; set; } = 10;

    /// <summary>Rows admitted but not yet batched, over all tenants; beyond it callers get a busy error at once.</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>Share of the queue one tenant may hold (so one tenant's flood cannot lock the others out); 0 = 3/4 of the capacity.</summary>
    public int MaxQueuedPerTenant { get; set; }

    internal int EffectivePerTenant => MaxQueuedPerTenant > 0 ? MaxQueuedPerTenant : Math.Max(1, QueueCapacity * 3 / 4);

    internal void Validate()
    {
        if (MaxBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "Batching:MaxBatchSize must be ≥ 1.");
        if (QueueCapacity < 1) throw new ArgumentOutOfRangeException(nameof(QueueCapacity), QueueCapacity, "Batching:QueueCapacity must be ≥ 1.");
        if (MaxBatchWaitMs < 0) throw new ArgumentOutOfRangeException(nameof(MaxBatchWaitMs), MaxBatchWaitMs, "Batching:MaxBatchWaitMs must be ≥ 0.");
        if (ReturnWaitMs < 0) throw new ArgumentOutOfRangeException(nameof(ReturnWaitMs), ReturnWaitMs, "Batching:ReturnWaitMs must be ≥ 0.");
    }
}
