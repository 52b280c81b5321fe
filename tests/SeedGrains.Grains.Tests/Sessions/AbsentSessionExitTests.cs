using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class AbsentSessionExitTests
{
    private readonly List<(Func<Task> Callback, TimeSpan Delay)> _scheduled = [];
    private bool _absent = true;
    private int _deactivated;

    private AbsentSessionExit Exit() => new((callback, delay) =>
    {
        _scheduled.Add((callback, delay));
        return new NoTimer();
    }, () => _absent, () => _deactivated++);

    [Fact]
    public async Task Concurrent_misses_share_one_grace_period_then_the_activation_goes()
    {
        var exit = Exit();
        exit.Schedule();
        exit.Schedule();
        var (callback, delay) = Assert.Single(_scheduled);
        Assert.Equal(AbsentSessionExit.Grace, delay);
        Assert.Equal(0, _deactivated);

        await callback();

        Assert.Equal(1, _deactivated);
        exit.Schedule(); // a later miss starts a new grace period
        Assert.Equal(2, _scheduled.Count);
    }

    [Fact]
    public async Task A_session_created_during_the_grace_period_keeps_its_activation()
    {
        var exit = Exit();
        exit.Schedule();
        _absent = false;

        await _scheduled[0].Callback();

        Assert.Equal(0, _deactivated);
    }

    private sealed class NoTimer : IDisposable
    {
        public void Dispose() { }
    }
}
