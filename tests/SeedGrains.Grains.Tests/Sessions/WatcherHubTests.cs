using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class WatcherHubTests
{
    private static async Task<List<int>> Read(IAsyncEnumerable<int> events)
    {
        var read = new List<int>();
        await foreach (var e in events) read.Add(e);
        return read;
    }

    [Fact]
    public async Task A_watch_gets_its_first_event_then_every_later_one_in_order_until_the_last()
    {
        var hub = new WatcherHub<int>();
        var watch = hub.Watch(0, e => e < 0);
        Assert.Equal(1, hub.Count); // subscribed at once: nothing published from here on is missed
        hub.Publish(1);
        hub.Publish(2);
        hub.Publish(-1);
        hub.Publish(3);

        Assert.Equal([0, 1, 2, -1], await Read(watch));
        Assert.Equal(0, hub.Count);
    }

    [Fact]
    public async Task A_first_event_that_is_the_last_ends_the_watch()
    {
        var hub = new WatcherHub<int>();
        Assert.Equal([-5], await Read(hub.Watch(-5, e => e < 0)));
        Assert.Equal(0, hub.Count);
    }

    [Fact]
    public async Task Completing_the_hub_ends_every_watch_after_what_was_published()
    {
        var hub = new WatcherHub<int>();
        var first = hub.Watch(0, _ => false);
        var second = hub.Watch(10, _ => false);
        hub.Publish(1);
        hub.CompleteAll();

        Assert.Equal([0, 1], await Read(first));
        Assert.Equal([10, 1], await Read(second));
    }

    [Fact]
    public async Task A_slow_watcher_loses_the_oldest_events_never_the_newest()
    {
        var hub = new WatcherHub<int>(capacity: 2);
        var watch = hub.Watch(0, _ => false);
        for (var i = 1; i <= 5; i++) hub.Publish(i);
        hub.CompleteAll();

        Assert.Equal([0, 4, 5], await Read(watch));
    }

    [Fact]
    public async Task A_cancelled_watch_unsubscribes()
    {
        var hub = new WatcherHub<int>();
        using var cancel = new CancellationTokenSource();
        var watch = hub.Watch(0, _ => false, cancel.Token).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync());
        var next = watch.MoveNextAsync().AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
        await watch.DisposeAsync();
        Assert.Equal(0, hub.Count);
    }

    [Fact]
    public async Task A_slow_watcher_of_a_delta_stream_gets_a_fresh_state_instead_of_losing_an_event()
    {
        var state = 0;
        var hub = new WatcherHub<int>(capacity: 3, resync: () => 1000 + state);
        var watch = hub.Watch(0, e => e < 0);
        for (state = 1; state <= 5; state++) hub.Publish(state); // 4 does not fit: the queue becomes the state as of 4
        hub.Publish(-1);

        Assert.Equal([0, 1004, 5, -1], await Read(watch));
        Assert.Equal(1, hub.Resyncs);
    }
}
