using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class DocumentLockTests : IDisposable
{
    private readonly DocumentLock _lock = new();

    public void Dispose() => _lock.Dispose();

    [Fact]
    public async Task Work_runs_one_at_a_time_in_arrival_order()
    {
        var firstMayEnd = new TaskCompletionSource();
        var order = new List<string>();
        var first = _lock.Run(async () =>
        {
            order.Add("first starts");
            await firstMayEnd.Task;
            order.Add("first ends");
        });
        var second = _lock.Run(() =>
        {
            order.Add("second");
            return Task.FromResult(2);
        });

        Assert.False(second.IsCompleted); // waits for the first
        firstMayEnd.SetResult();
        await first;
        Assert.Equal(2, await second);
        Assert.Equal(["first starts", "first ends", "second"], order);
    }

    [Fact]
    public async Task A_failure_releases_the_lock()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _lock.Run(() => throw new InvalidOperationException("boom")));

        Assert.Equal(1, await _lock.Run(() => Task.FromResult(1)));
    }

    [Fact]
    public async Task TryRun_gives_up_when_waiting_is_cancelled_and_runs_nothing()
    {
        await _lock.Semaphore.WaitAsync();
        using var cancel = new CancellationTokenSource();
        var ran = false;
        var attempt = _lock.TryRun(() =>
        {
            ran = true;
            return Task.CompletedTask;
        }, cancel.Token);

        await cancel.CancelAsync();
        Assert.False(await attempt);
        Assert.False(ran);

        _lock.Semaphore.Release();
        Assert.True(await _lock.TryRun(() =>
        {
            ran = true;
            return Task.CompletedTask;
        }, CancellationToken.None));
        Assert.True(ran);
    }
}
