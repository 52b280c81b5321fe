namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Gives glibc's free heap memory back to the system at a fixed interval (<c>Memory:TrimIntervalSeconds</c>): with a high
/// mmap threshold (<see cref="NativeMemoryTuning"/>) a step's activation tensors come from the heap arenas, which is
/// fast, but memory freed there otherwise stays in the process. A trim returns it once per interval instead of at every
/// free, so a step does not pay page faults on freshly mapped memory.
/// </summary>
internal sealed class NativeMemoryTrimmer(TimeProvider time, TimeSpan interval, Action trim) : BackgroundService
{
    // Made here, not in ExecuteAsync (which runs later, on the thread pool): the intervals count from construction.
    private readonly PeriodicTimer _timer = new(interval, time);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken))
                trim();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }
}
