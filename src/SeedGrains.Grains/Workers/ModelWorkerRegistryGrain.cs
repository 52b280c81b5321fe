using Orleans.Runtime;
using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Grains.Workers;

/// <summary>
/// In-memory list of announced workers. Deliberately not persisted: silos re-announce periodically, so an activation
/// that moved after its silo died is refilled within one announce interval; membership filters out dead silos.
/// </summary>
public sealed class ModelWorkerRegistryGrain(IClusterMembershipService membership) : Grain, IModelWorkerRegistryGrain
{
    private readonly Dictionary<string, WorkerAddress[]> _bySilo = new(StringComparer.Ordinal);

    public Task Announce(string silo, WorkerAddress[] workers)
    {
        if (workers.Any(w => w.Silo != silo))
            throw new ArgumentException($"Silo {silo} announced workers of another silo.", nameof(workers));
        _bySilo[silo] = workers;
        return Task.CompletedTask;
    }

    public Task<WorkerAddress[]> List(string model)
    {
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString())
            .ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _bySilo.Keys.Where(s => !active.Contains(s)).ToList())
            _bySilo.Remove(gone);
        return Task.FromResult(_bySilo.Values.SelectMany(w => w).Where(w => w.Model == model).ToArray());
    }
}
