using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The session's watchers: each has a bounded channel that drops its oldest events when the watcher is slow. Generic
/// in the event, so events may carry deltas instead of whole snapshots without changing the fan-out. Not thread-safe:
/// used from grain turns only.
/// </summary>
internal sealed class WatcherHub<TEvent>(int capacity = 256)
{
    private readonly List<Channel<TEvent>> _channels = [];

    public int Count => _channels.Count;

    /// <summary>
    /// Subscribes now — in the caller's turn, so no event published after <paramref name="first"/> was taken is missed —
    /// and streams <paramref name="first"/>, then every later event, until <paramref name="isLast"/> holds for one, the
    /// hub completes or <paramref name="cancellationToken"/> fires.
    /// </summary>
    public IAsyncEnumerable<TEvent> Watch(TEvent first, Func<TEvent, bool> isLast, CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<TEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });
        _channels.Add(channel);
        return Stream(channel, first, isLast, cancellationToken);
    }

    public void Publish(TEvent update)
    {
        foreach (var channel in _channels)
            channel.Writer.TryWrite(update);
    }

    /// <summary>Ends every watch once it has read what was published (the session is gone or deactivating).</summary>
    public void CompleteAll()
    {
        foreach (var channel in _channels)
            channel.Writer.TryComplete();
    }

    private async IAsyncEnumerable<TEvent> Stream(Channel<TEvent> channel, TEvent first, Func<TEvent, bool> isLast,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            yield return first;
            if (isLast(first)) yield break;
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
