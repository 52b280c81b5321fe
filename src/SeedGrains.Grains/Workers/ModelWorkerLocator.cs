using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Model;

namespace SeedGrains.Grains.Workers;

/// <summary>
/// How sessions reach a model worker: this silo's own workers first (no network hop), else the registry's list; a
/// session sticks to one worker by rendezvous hashing (so its rows batch with the same neighbours), and a worker whose
/// call fails for any reason but "busy", "bad request" or "the model itself failed" is set aside for a while and the
/// next one is tried. When none is left the caller gets <see cref="ModelUnavailableException"/> (sessions retry it).
/// </summary>
public sealed class ModelWorkerLocator(
    LocalModelWorkers localWorkers,
    ModelRuntimes runtimes,
    IGrainFactory grains,
    IOptions<RegistryOptions> options,
    SeedGrainsClock clock,
    ILogger<ModelWorkerLocator> logger)
{
    private static readonly TimeSpan SetAsideFor = TimeSpan.FromSeconds(30);
    private const int MaxAttempts = 4;
    private readonly ConcurrentDictionary<string, DateTime> _setAsideUntil = new(StringComparer.Ordinal);
    private volatile RemoteList _remote = new([], DateTime.MinValue);

    /// <summary>Runs one step on the best reachable worker; <paramref name="affinity"/> (the session key) picks among equals.</summary>
    public async Task<StepReply> Step(StepCall call, string affinity)
    {
        var tried = new HashSet<string>(StringComparer.Ordinal);
        Exception? lastError = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var worker = await Pick(affinity, tried, refreshRemote: attempt > 0);
            if (worker is null) break;
            tried.Add(worker.Key);
            try
            {
                return await grains.GetGrain<IModelWorkerGrain>(worker.Key).Step(call);
            }
            catch (Exception ex) when (ex is not (ModelBusyException or InvalidSessionRequestException or ModelStepFailedException))
            {
                lastError = ex;
                _setAsideUntil[worker.Key] = clock.UtcNow + SetAsideFor;
                logger.LogWarning(ex, "Model worker {Worker} failed a step of {Session}; trying another", worker.Key, call.Session);
            }
        }
        throw new ModelUnavailableException(
            lastError is null
                ? $"No model worker of model '{runtimes.ModelName}' is registered on an active silo."
                : $"No model worker of model '{runtimes.ModelName}' could take the step (tried {string.Join(", ", tried)}): {lastError.Message}",
            lastError ?? new InvalidOperationException("no workers"));
    }

    private async Task<WorkerAddress?> Pick(string affinity, HashSet<string> tried, bool refreshRemote)
    {
        var now = clock.UtcNow;
        bool Usable(WorkerAddress w) => !tried.Contains(w.Key) && (!_setAsideUntil.TryGetValue(w.Key, out var until) || until < now);

        var local = localWorkers.Workers.Where(Usable).ToList();
        if (local.Count > 0)
            return Rendezvous(affinity, local);

        var remote = _remote;
        if (refreshRemote || remote.FetchedAt + TimeSpan.FromSeconds(options.Value.ListCacheSeconds) < now || remote.Workers.Length == 0)
        {
            var listed = await grains.GetGrain<IModelWorkerRegistryGrain>(IModelWorkerRegistryGrain.Key).List(runtimes.ModelName);
            remote = _remote = new RemoteList(listed, clock.UtcNow);
        }
        var candidates = remote.Workers.Where(Usable).ToList();
        return candidates.Count > 0 ? Rendezvous(affinity, candidates) : null;
    }

    /// <summary>Highest-random-weight choice: stable per session, spreads sessions evenly, and only moves a session when its worker goes.</summary>
    private static WorkerAddress Rendezvous(string affinity, List<WorkerAddress> workers) =>
        workers.MaxBy(w => StableHash.Of(affinity + "|" + w.Key))!;

    private sealed record RemoteList(WorkerAddress[] Workers, DateTime FetchedAt);
}
