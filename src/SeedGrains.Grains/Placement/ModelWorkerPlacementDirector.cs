using Orleans.Runtime.Placement;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Grains.Placement;

/// <summary>
/// Puts a worker on the silo its key names, and refuses (<see cref="ModelUnavailableException"/>) when that silo is not
/// an active member — a worker must never silently move to a silo without its device.
/// </summary>
public sealed class ModelWorkerPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString() ?? "";
        var address = WorkerAddress.Parse(key);
        SiloAddress silo;
        try
        {
            silo = SiloAddress.FromParsableString(address.Silo);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ModelUnavailableException($"Model worker key '{key}' names no valid silo address ('{address.Silo}').", ex);
        }
        if (!context.GetCompatibleSilos(target).Contains(silo))
            throw new ModelUnavailableException($"Model worker '{key}' belongs to silo {silo}, which is not an active member of the cluster.");
        return Task.FromResult(silo);
    }
}
