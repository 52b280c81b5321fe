using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The session's watchers, each with a bounded channel. When a slow watcher's channel is full: without
/// <c>resync</c> its oldest events are dropped (fine when every event carries the whole state); with it, its queued
/// events are replaced by <c>resync()</c> (a fresh snapshot) — so a delta stream never silently loses a change. Not
/// thread-safe: used from grain turns only.
/// </summary>
internal sealed class WatcherHub<TEvent>(int capacity = 256, Func<TEvent>? resync = null)
{
    private readonly List<Channel<TEvent>> _channels = [];

    public int Count => _channels.Count;

    /// <summary>How many times a full channel was resynchronised (a slow watcher got a snapshot instead of deltas).</summary>
    public int Resyncs { get; private set; }

    public IAsyncEnumerable<TEvent> Watch(TEvent first, Func<TEvent, bool> isLast, CancellationToken cancellationToken = default) =>
        Watch([first], isLast, cancellationToken);

    /// <summary>
    /// Subscribes now — in the caller's turn, so no event published after <paramref name="firsts"/> were taken is missed —
    /// and streams <paramref name="firsts"/>, then every later event, until <paramref name="isLast"/> holds for one, the
    /// hub completes or <paramref name="cancellationToken"/> fires.
    /// </summary>
    public IAsyncEnumerable<TEvent> Watch(IReadOnlyList<TEvent> firsts, Func<TEvent, bool> isLast, CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<TEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = resync is null ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
            SingleReader = false, // a resync drains the channel from the writer's side
            SingleWriter = true,
        });
        _channels.Add(channel);
        return Stream(channel, firsts, isLast, cancellationToken);
    }

    public void Publish(TEvent update)
    {
        foreach (var channel in _channels)
        {
            if (channel.Writer.TryWrite(update) || resync is null) continue;
            while (channel.Reader.TryRead(out _)) { }
            channel.Writer.TryWrite(resync()); // the fresh state includes this update
            Resyncs++;
        }
    }

    /// <summary>Ends every watch once it has read what was published (the session is gone or deactivating).</summary>
    public void CompleteAll()
    {
        foreach (var channel in _channels)
            channel.Writer.TryComplete();
    }

    private async IAsyncEnumerable<TEvent> Stream(Channel<TEvent> channel, IReadOnlyList<TEvent> firsts, Func<TEvent, bool> isLast,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            foreach (var first in firsts)
            {
                yield return first;
                if (isLast(first)) yield break;
            }
            while (await channel.Reader.WaitToReadAsync(cancellationToken))
            {
                while (channel.Reader.TryRead(out var update))
                {
                    yield return update;
                    if (isLast(update)) yield break;
                }
            }
        }
        finally
        {
            _channels.Remove(channel);
        }
    }
}
