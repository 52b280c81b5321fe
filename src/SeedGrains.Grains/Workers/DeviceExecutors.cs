using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SeedGrains.Grains.Model;

namespace SeedGrains.Grains.Workers;

/// <summary>
/// The silo's compute loops, one per device, owned by the silo rather than by a grain activation: a worker grain
/// that deactivates and comes back finds the same thread and queue.
/// </summary>
public sealed class DeviceExecutors(ModelRuntimes runtimes, IOptions<BatchingOptions> options, ILoggerFactory loggers, SeedGrainsClock clock) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<DeviceExecutor>> _executors = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    public DeviceExecutor Get(string device)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _executors.GetOrAdd(device, d => new Lazy<DeviceExecutor>(
            () => new DeviceExecutor(runtimes.Get(d), options.Value, loggers.CreateLogger<DeviceExecutor>(), clock.Time))).Value;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var executor in _executors.Values.Where(e => e.IsValueCreated))
            executor.Value.Dispose();
    }
}
