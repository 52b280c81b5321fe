using Orleans.Concurrency;

namespace SeedGrains.Abstractions.Workers;

/// <summary>
/// The batching front of one model on one device of one silo (key: <see cref="WorkerAddress.Key"/>), placed on that
/// silo. Reentrant: many sessions' calls wait for their batch at the same time.
/// </summary>
public interface IModelWorkerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Queues one row for the next batch and completes with its commits. Throws
    /// <see cref="Errors.ModelBusyException"/> at once when the queue (or the tenant's share) is full.
    /// </summary>
    Task<StepReply> Step(StepCall call);

    [AlwaysInterleave]
    Task<WorkerStats> GetStats();
}
