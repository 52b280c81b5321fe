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

    /// <summary>
    /// Most bulk-priority rows (refactor jobs) in one batch; 0 = auto: 1 on the CPU, <see cref="MaxBatchSize"/> on a GPU.
    /// A CPU forward costs about one row's time per row, so a big batch of bulk rows gains a job little and makes an
    /// interactive step that arrives meanwhile wait for all of it; a GPU computes a batch's rows side by side.
    /// </summary>
    public int MaxBulkBatchSize { get; set; }

    /// <summary>
    /// Whether bulk rows may fill the free slots of a batch that carries interactive rows; unset = auto: not on the CPU
    /// (each would add a row's time to the interactive step), yes on a GPU.
    /// </summary>
    public bool? BulkBesideInteractive { get; set; }

    /// <summary>
    /// Most batches in a row that may leave waiting bulk rows behind; the next batch then serves bulk rows first (within
    /// the rules above). Without it, interactive sessions that keep the model busy would stop a refactor job for as long
    /// as they last. 0 = strict priority (bulk rows only when no interactive row waits).
    /// </summary>
    public int MaxBulkPassOvers { get; set; } = 8;

    /// <summary>Rows admitted but not yet batched, over all tenants; beyond it callers get a busy error at once.</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>Share of the queue one tenant may hold (so one tenant's flood cannot lock the others out); 0 = 3/4 of the capacity.</summary>
    public int MaxQueuedPerTenant { get; set; }

    internal int EffectivePerTenant => MaxQueuedPerTenant > 0 ? MaxQueuedPerTenant : Math.Max(1, QueueCapacity * 3 / 4);

    /// <summary>The bulk-row rules for one device (<c>cpu</c>, <c>cuda:0</c>, …), the auto values resolved.</summary>
    internal BulkBatching BulkBatchingFor(string device)
    {
        var onCpu = device.StartsWith("cpu", StringComparison.OrdinalIgnoreCase);
        var maxRows = MaxBulkBatchSize > 0 ? Math.Min(MaxBulkBatchSize, MaxBatchSize) : onCpu ? 1 : MaxBatchSize;
        return new BulkBatching(maxRows, BulkBesideInteractive ?? !onCpu, MaxBulkPassOvers);
    }

    internal void Validate()
    {
        if (MaxBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "Batching:MaxBatchSize must be ≥ 1.");
        if (MaxBulkBatchSize < 0) throw new ArgumentOutOfRangeException(nameof(MaxBulkBatchSize), MaxBulkBatchSize, "Batching:MaxBulkBatchSize must be ≥ 0 (0 = auto).");
        if (MaxBulkPassOvers < 0) throw new ArgumentOutOfRangeException(nameof(MaxBulkPassOvers), MaxBulkPassOvers, "Batching:MaxBulkPassOvers must be ≥ 0 (0 = strict priority).");
        if (QueueCapacity < 1) throw new ArgumentOutOfRangeException(nameof(QueueCapacity), QueueCapacity, "Batching:QueueCapacity must be ≥ 1.");
        if (MaxBatchWaitMs < 0) throw new ArgumentOutOfRangeException(nameof(MaxBatchWaitMs), MaxBatchWaitMs, "Batching:MaxBatchWaitMs must be ≥ 0.");
        if (ReturnWaitMs < 0) throw new ArgumentOutOfRangeException(nameof(ReturnWaitMs), ReturnWaitMs, "Batching:ReturnWaitMs must be ≥ 0.");
    }
}
