namespace SeedGrains.Abstractions.Workers;

/// <summary>
/// Cluster-wide list of model workers (a single activation, key <see cref="Key"/>). Silos announce their workers
/// at start and periodically (so a re-activated registry refills); listings only include silos that membership
/// reports active.
/// </summary>
public interface IModelWorkerRegistryGrain : IGrainWithIntegerKey
{
    const long Key = 0;

    /// <summary>Replaces the announced workers of <paramref name="silo"/>.</summary>
    Task Announce(string silo, WorkerAddress[] workers);

    /// <summary>Workers of <paramref name="model"/> on active silos.</summary>
    Task<WorkerAddress[]> List(string model);
}
