using Microsoft.Extensions.Time.Testing;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class StepBackoffTests
{
    private readonly FakeTimeProvider _time = new();

    private StepBackoff Backoff() => new(_time, new SessionOptions { BusyTimeoutSeconds = 1, UnavailableTimeoutSeconds = 2 });

    [Fact]
    public void Each_transient_failure_doubles_the_wait_up_to_250_ms()
    {
        var backoff = Backoff();
        Assert.True(backoff.MayStep);
        var waits = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            var start = _time.GetUtcNow();
            Assert.True(backoff.TryBackOff(busy: true, out _));
            Assert.False(backoff.MayStep);
            waits.Add((backoff.RetryAt - start).TotalMilliseconds);
            _time.SetUtcNow(backoff.RetryAt);
            Assert.True(backoff.MayStep);
        }
        Assert.Equal([5, 10, 20, 40, 80, 160, 250, 250], waits);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public void A_condition_that_outlasts_its_limit_gives_up(bool busy, double limit)
    {
        var backoff = Backoff();
        Assert.True(backoff.TryBackOff(busy, out _));
        _time.Advance(TimeSpan.FromSeconds(limit));
        Assert.True(backoff.TryBackOff(busy, out _)); // at the limit: still waiting
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(backoff.TryBackOff(busy, out var reported));
        Assert.Equal(limit, reported);
    }

    [Fact]
    public void A_success_or_a_restart_begins_again_from_the_first_wait()
    {
        var backoff = Backoff();
        backoff.TryBackOff(busy: true, out _);
        backoff.TryBackOff(busy: true, out _);
        backoff.Succeeded();
        var start = _time.GetUtcNow();
        backoff.TryBackOff(busy: true, out _);
        Assert.Equal(TimeSpan.FromMilliseconds(5), backoff.RetryAt - start);

        _time.Advance(TimeSpan.FromSeconds(1.5));
        backoff.Reset();
        Assert.True(backoff.MayStep);
        Assert.True(backoff.TryBackOff(busy: true, out _)); // the 1.5 s before the restart do not count
    }
}
