using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Tests.Collaboration;

/// <summary>
/// Reads a session's delta stream in the background into a list of changes in version order, and lets a test wait for
/// a version (an explicit signal, no polling). A snapshot after the first event means the stream resynchronised.
/// </summary>
internal sealed class SessionEventReader : IAsyncDisposable
{
    private readonly object _sync = new();
    private readonly List<TextChange> _changes = [];
    private readonly List<(long Version, TaskCompletionSource Reached)> _waiters = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<SessionSnapshot> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;

    public SessionEventReader(ISessionGrain session) => _reading = Task.Run(() => Read(session));

    public Task<SessionSnapshot> First => _first.Task;

    public int Resyncs { get; private set; }

    public List<SessionEvent> All { get; } = [];

    public long LastVersion { get; private set; }

    public TextChange Change(long version)
    {
        lock (_sync) return _changes.Single(c => c.Version == version);
    }

    public Task WhenVersion(long version)
    {
        lock (_sync)
        {
            if (LastVersion >= version) return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((version, reached));
            return reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    private async Task Read(ISessionGrain session)
    {
        try
        {
            await foreach (var e in session.Events(null, untilSettled: false, _stop.Token).WithCancellation(_stop.Token))
            {
                lock (_sync)
                {
                    All.Add(e);
                    if (e.Kind == SessionEventKind.Snapshot)
                    {
                        if (!_first.TrySetResult(e.Snapshot!)) Resyncs++;
                        LastVersion = e.Version;
                    }
                    else if (e.Kind == SessionEventKind.Change)
                    {
                        if (e.Version != LastVersion + 1) throw new InvalidOperationException($"Version {e.Version} after {LastVersion}.");
                        _changes.Add(e.Change!);
                        LastVersion = e.Version;
                    }
                    foreach (var waiter in _waiters.Where(w => w.Version <= LastVersion).ToList())
                    {
                        _waiters.Remove(waiter);
                        waiter.Reached.SetResult();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _first.TrySetException(ex);
            lock (_sync) foreach (var w in _waiters) w.Reached.TrySetException(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _reading; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
