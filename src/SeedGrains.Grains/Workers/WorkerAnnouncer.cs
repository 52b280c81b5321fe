using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Model;

namespace SeedGrains.Grains.Workers;

/// <summary>
/// Silo lifecycle participant: loads the model as the silo starts (a missing or broken model fails the start, not
/// the first request), then announces this silo's workers to the registry once it is active and every
/// <see cref="RegistryOptions.AnnounceIntervalSeconds"/> after.
/// </summary>
public sealed class WorkerAnnouncer(
    ModelRuntimes runtimes,
    LocalModelWorkers localWorkers,
    IGrainFactory grains,
    IOptions<RegistryOptions> options,
    ILogger<WorkerAnnouncer> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private CancellationTokenSource? _stop;
    private Task? _loop;

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(WorkerAnnouncer) + ".Load", ServiceLifecycleStage.RuntimeInitialize, _ =>
        {
            var loaded = runtimes.Devices; // Throws the clear "not wired" / load error now.
            logger.LogInformation("Model {Model} loaded on {Devices}", runtimes.ModelName, string.Join(", ", loaded.Select(d => d.Device)));
            return Task.CompletedTask;
        });
        lifecycle.Subscribe(nameof(WorkerAnnouncer), ServiceLifecycleStage.Active, Start, Stop);
    }

    private Task Start(CancellationToken cancellationToken)
    {
        _stop = new CancellationTokenSource();
        _loop = Task.Run(() => AnnounceLoop(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        if (_stop is null) return;
        await _stop.CancelAsync();
        if (_loop is not null)
            await _loop.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void Dispose() => _stop?.Dispose();

    private async Task AnnounceLoop(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.1, options.Value.AnnounceIntervalSeconds)));
        do
        {
            try
            {
                await grains.GetGrain<IModelWorkerRegistryGrain>(IModelWorkerRegistryGrain.Key)
                    .Announce(localWorkers.Silo, localWorkers.Workers.ToArray());
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Announcing this silo's model workers failed; retrying in the next interval");
            }
        }
        while (await WaitNext(timer, stop));
    }

    private static async Task<bool> WaitNext(PeriodicTimer timer, CancellationToken stop)
    {
        try { return await timer.WaitForNextTickAsync(stop); }
        catch (OperationCanceledException) { return false; }
    }
}
