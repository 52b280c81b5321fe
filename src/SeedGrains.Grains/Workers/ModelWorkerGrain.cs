using Orleans.Concurrency;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Placement;

namespace SeedGrains.Grains.Workers;

/// <summary>
/// Addressable front of one device's compute loop, pinned to its silo by <see cref="ModelWorkerPlacementAttribute"/>.
/// Reentrant: every call only queues a row and awaits its promise, so many sessions wait on one activation at once
/// (that is what lets batches form). The activation holds no state of its own.
/// </summary>
[Reentrant]
[ModelWorkerPlacement]
public sealed class ModelWorkerGrain(DeviceExecutors executors, ILocalSiloDetails localSilo) : Grain, IModelWorkerGrain
{
    private DeviceExecutor? _executor;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var address = WorkerAddress.Parse(this.GetPrimaryKeyString());
        if (address.Silo != localSilo.SiloAddress.ToParsableString())
            throw new InvalidOperationException(
                $"Model worker '{address.Key}' activated on silo {localSilo.SiloAddress.ToParsableString()}, not on its own silo.");
        _executor = executors.Get(address.Device);
        return Task.CompletedTask;
    }

    public Task<StepReply> Step(StepCall call) => Executor.Submit(call);

    public Task<WorkerStats> GetStats() => Task.FromResult(Executor.Stats);

    private DeviceExecutor Executor => _executor ?? throw new InvalidOperationException("Model worker is not activated.");
}
