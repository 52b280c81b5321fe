namespace SeedGrains.Tests.Fakes;

/// <summary>A counter whose thresholds tests can await.</summary>
internal sealed class CallSignals
{
    private readonly object _sync = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Increment()
    {
        lock (_sync)
        {
            _count++;
            foreach (var waiter in _waiters.Where(w => w.Count <= _count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Reached.SetResult();
            }
        }
    }

    public Task WhenReached(int count)
    {
        lock (_sync)
        {
            if (_count >= count) return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }
}
