namespace SeedGrains.Abstractions.Workers;

/// <summary>Counters of one device's compute loop since it started.</summary>
/// <param name="Queued">Requests admitted and waiting for a batch right now.</param>
/// <param name="Batches">Stepper calls made.</param>
/// <param name="Rows">Rows stepped over all batches.</param>
/// <param name="MaxBatchSize">Largest batch so far.</param>
/// <param name="Rejected">Requests refused because the queue (or the tenant's share of it) was full.</param>
[GenerateSerializer, Immutable]
public sealed record WorkerStats(
    [property: Id(0)] string Model,
    [property: Id(1)] string Device,
    [property: Id(2)] int Queued,
    [property: Id(3)] long Batches,
    [property: Id(4)] long Rows,
    [property: Id(5)] int MaxBatchSize,
    [property: Id(6)] long Rejected);
