namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The one lock every change of a session's document is made under (client calls, step commits, the reminder), so
/// versions stay sequential while the grain's timers interleave with its calls.
/// </summary>
internal sealed class DocumentLock : IDisposable
{
    /// <summary>The semaphore itself, for the denoising loop's commit.</summary>
    public SemaphoreSlim Semaphore { get; } = new(1, 1);

    public async Task<T> Run<T>(Func<Task<T>> work)
    {
        await Semaphore.WaitAsync();
        try
        {
            return await work();
        }
        finally
        {
            Semaphore.Release();
        }
    }

    public Task Run(Func<Task> work) => Run(async () =>
    {
        await work();
        return true;
    });

    /// <summary>Runs <paramref name="work"/> under the lock unless waiting for it is cancelled first (then false).</summary>
    public async Task<bool> TryRun(Func<Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await Semaphore.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        try { await work(); }
        finally { Semaphore.Release(); }
        return true;
    }

    public void Dispose() => Semaphore.Dispose();
}
