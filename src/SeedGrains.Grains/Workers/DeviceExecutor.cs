using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Telemetry;

namespace SeedGrains.Grains.Workers;

/// <summary>
/// One device's compute loop: a dedicated thread (never the Orleans scheduler — a forward may take tens of
/// milliseconds and would stall every grain on the silo) fed by a bounded channel. It gathers rows for up to
/// <see cref="BatchingOptions.MaxBatchWaitMs"/> — or, while sessions of its last batch that still have masks have not
/// sent their next step, up to <see cref="BatchingOptions.ReturnWaitMs"/> — forms a fair batch
/// (<see cref="FairStepQueue"/>), calls the stepper once and completes each row's promise. Admission is checked at
/// once: a full queue is a busy error, never a wait. All its waits run on the given <see cref="TimeProvider"/> (tests
/// advance a fake one instead of sleeping).
/// </summary>
public sealed class DeviceExecutor : IDisposable
{
    private readonly IModelRuntime _runtime;
    private readonly BatchingOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<PendingStep> _inbox;
    private readonly ConcurrentDictionary<string, int> _queuedPerTenant = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _thread;
    // Compute thread only: sessions of the last batch with masks left whose next step has not arrived yet.
    private readonly HashSet<string> _awaited = new(StringComparer.Ordinal);
    // The interactive ones among them: while one is on its way back, bulk rows alone do not close a batch.
    private readonly HashSet<string> _awaitedInteractive = new(StringComparer.Ordinal);
    private int _queued;
    private long _batches;
    private long _rows;
    private int _maxBatch;
    private long _rejected;

    /// <param name="time">Clock of the batch-gathering waits; <see cref="TimeProvider.System"/> when null.</param>
    public DeviceExecutor(IModelRuntime runtime, BatchingOptions options, ILogger logger, TimeProvider? time = null)
    {
        options.Validate();
        _runtime = runtime;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        // The counter below enforces the capacity; the channel bound is a second fence (writes never wait).
        _inbox = Channel.CreateBounded<PendingStep>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _thread = new Thread(Run) { IsBackground = true, Name = $"seedgrains-compute-{runtime.Device}" };
        _thread.Start();
    }

    public string Device => _runtime.Device;

    private KeyValuePair<string, object?>[] DeviceTags => [new("model", _runtime.ModelName), new("device", Device)];

    public WorkerStats Stats => new(_runtime.ModelName, _runtime.Device, Volatile.Read(ref _queued),
        Interlocked.Read(ref _batches), Interlocked.Read(ref _rows), Volatile.Read(ref _maxBatch), Interlocked.Read(ref _rejected));

    /// <summary>Queues a row; throws <see cref="ModelBusyException"/> when the queue or the tenant's share is full.</summary>
    public Task<StepReply> Submit(StepCall call)
    {
        Validate(call);
        if (_stopping.IsCancellationRequested)
            throw new ModelUnavailableException($"Model worker on device '{Device}' is shutting down.");
        if (Interlocked.Increment(ref _queued) > _options.QueueCapacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _rejected);
            throw new ModelBusyException($"Model worker on device '{Device}' is busy: {_options.QueueCapacity} steps are queued.");
        }
        var tenantQueued = _queuedPerTenant.AddOrUpdate(call.Tenant, 1, (_, n) => n + 1);
        if (tenantQueued > _options.EffectivePerTenant)
        {
            Release(call.Tenant);
            Interlocked.Increment(ref _rejected);
            throw new ModelBusyException($"Model worker on device '{Device}' is busy: tenant '{call.Tenant}' already has {_options.EffectivePerTenant} steps queued.");
        }
        var pending = new PendingStep(call);
        if (!_inbox.Writer.TryWrite(pending))
        {
            Release(call.Tenant);
            Interlocked.Increment(ref _rejected);
            throw new ModelBusyException($"Model worker on device '{Device}' is busy (queue full).");
        }
        SeedGrainsMetrics.QueueDepth.Add(1, DeviceTags);
        return pending.Reply.Task;
    }

    private void Validate(StepCall call)
    {
        var maxWindow = _runtime.Stepper.MaxWindow;
        if (call.Tokens is null || call.Tokens.Length == 0 || call.Tokens.Length > maxWindow)
            throw new InvalidSessionRequestException(
                $"Step window of session '{call.Session}' has {call.Tokens?.Length ?? 0} tokens; the model accepts 1..{maxWindow}.");
        if (string.IsNullOrEmpty(call.Tenant))
            throw new InvalidSessionRequestException($"Step of session '{call.Session}' names no tenant.");
    }

    private void Release(string tenant)
    {
        Interlocked.Decrement(ref _queued);
        _queuedPerTenant.AddOrUpdate(tenant, 0, (_, n) => n - 1);
    }

    private void Run()
    {
        var backlog = new FairStepQueue();
        var bulk = _options.BulkBatchingFor(Device);
        var maxWait = TimeSpan.FromMilliseconds(_options.MaxBatchWaitMs);
        var returnWait = TimeSpan.FromMilliseconds(Math.Max(_options.ReturnWaitMs, _options.MaxBatchWaitMs));
        try
        {
            while (true)
            {
                if (backlog.Count == 0 && !WaitForInput(Timeout.InfiniteTimeSpan))
                    break;
                Drain(backlog);
                // Give concurrent sessions a moment to join this batch — longer while last batch's sessions are on their way back.
                var gatheringSince = _time.GetTimestamp();
                while (backlog.Count < _options.MaxBatchSize || (_awaitedInteractive.Count > 0 && backlog.InteractiveCount == 0))
                {
                    var limit = _awaited.Count > 0 ? returnWait : maxWait;
                    var elapsed = _time.GetElapsedTime(gatheringSince);
                    if (elapsed >= limit || !WaitForInput(limit - elapsed)) break;
                    Drain(backlog);
                }
                _awaited.Clear();
                _awaitedInteractive.Clear();
                if (backlog.Count == 0) continue;
                var batch = backlog.TakeBatch(_options.MaxBatchSize, bulk);
                foreach (var step in batch)
                    Release(step.Call.Tenant);
                SeedGrainsMetrics.QueueDepth.Add(-batch.Count, DeviceTags);
                Execute(batch);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            _logger.LogCritical(ex, "Compute loop of device {Device} crashed", Device);
        }
        Drain(backlog);
        SeedGrainsMetrics.QueueDepth.Add(-backlog.Count, DeviceTags);
        foreach (var step in backlog.DrainAll())
            step.Reply.TrySetException(new ModelUnavailableException($"Model worker on device '{Device}' stopped."));
    }

    /// <summary>True when input may be waiting; false on timeout or when the channel is closed.</summary>
    private bool WaitForInput(TimeSpan timeout)
    {
        if (_inbox.Reader.TryPeek(out _)) return true;
        if (timeout != Timeout.InfiniteTimeSpan && timeout <= TimeSpan.Zero) return false;
        using var timeoutSource = timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, timeoutSource?.Token ?? CancellationToken.None);
        try
        {
            return _inbox.Reader.WaitToReadAsync(linked.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Drain(FairStepQueue backlog)
    {
        while (_inbox.Reader.TryRead(out var step))
        {
            backlog.Add(step);
            _awaited.Remove(step.Call.SessionKey());
            _awaitedInteractive.Remove(step.Call.SessionKey());
        }
    }

    /// <summary>
    /// Whether a row still has masks after this step's commits — counting only masks before the first committed pad or
    /// end token, since the session's pad-ends-region rule fills the ones after it.
    /// </summary>
    private static bool WillReturn(int[] tokens, IReadOnlyList<TokenCommit> commits, SpecialTokenIds specials)
    {
        var end = commits.Where(c => c.Token == specials.Pad || c.Token == specials.End).Select(c => c.Position).DefaultIfEmpty(tokens.Length).Min();
        var committed = commits.Select(c => c.Position).ToHashSet();
        for (var p = 0; p < end; p++)
            if (tokens[p] == specials.Mask && !committed.Contains(p)) return true;
        return false;
    }

    private void Execute(List<PendingStep> batch)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _rows, batch.Count);
        if (batch.Count > Volatile.Read(ref _maxBatch)) Volatile.Write(ref _maxBatch, batch.Count);
        var started = _time.GetTimestamp();
        using var activity = SeedGrainsMetrics.Activities.StartActivity("seedgrains.worker.step");
        activity?.SetTag("seedgrains.device", Device);
        activity?.SetTag("seedgrains.batch.rows", batch.Count);
        try
        {
            var results = _runtime.Stepper.Step(batch.Select(s => s.Call.ToRequest()).ToList(), _stopping.Token);
            SeedGrainsMetrics.ForwardDuration.Record(_time.GetElapsedTime(started).TotalSeconds, DeviceTags);
            SeedGrainsMetrics.BatchRows.Record(batch.Count, DeviceTags);
            foreach (var tenant in batch.GroupBy(s => s.Call.Tenant, StringComparer.Ordinal))
                SeedGrainsMetrics.Steps.Add(tenant.Count(), new("tenant", tenant.Key), new("model", _runtime.ModelName));
            if (results is null || results.Count != batch.Count)
                throw new InvalidOperationException(
                    $"Stepper of model '{_runtime.ModelName}' on '{Device}' returned {results?.Count ?? 0} results for a batch of {batch.Count} rows.");
            var specials = _runtime.Stepper.Specials;
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Reply.TrySetResult(new StepReply(results[i].ToCommits(), batch.Count));
                if (WillReturn(batch[i].Call.Tokens, results[i].Commits, specials))
                {
                    _awaited.Add(batch[i].Call.SessionKey());
                    if (batch[i].Call.Priority != SessionPriority.Bulk) _awaitedInteractive.Add(batch[i].Call.SessionKey());
                }
                else
                    _runtime.Stepper.Forget(batch[i].Call.SessionKey()); // its kept context would only wait for eviction
            }
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Denoising step of a batch failed on device {Device}", Device);
            Exception error = ex is OperationCanceledException
                ? new ModelUnavailableException($"Model worker on device '{Device}' stopped.")
                : new ModelStepFailedException($"Denoising step failed on device '{Device}': {ex.Message}");
            foreach (var step in batch)
                step.Reply.TrySetException(error);
        }
    }

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _inbox.Writer.TryComplete();
        if (_thread.Join(TimeSpan.FromSeconds(10)))
            _stopping.Dispose();
        else
            _logger.LogWarning("Compute thread of device {Device} did not stop within 10 s", Device);
    }
}
