using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>
/// A silent reader of the session's stream from before any client joins: it keeps every change in version order (the
/// history the server rebased edits through, for <see cref="ConflictAudit"/>), the text's length at each version, the
/// current text and status, and tells waiters when a version has arrived (an explicit signal, not polling).
/// </summary>
internal sealed class SessionObserver : IAsyncDisposable
{
    private readonly Lock _sync = new();
    private readonly List<TextChange> _changes = [];
    private readonly List<int> _lengths = [];
    private readonly List<(long Version, TaskCompletionSource Reached)> _waiters = [];
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http;
    private readonly Action<SessionObserver> _onSettled;
    private Task _reading = Task.CompletedTask;
    private string _text = "";

    /// <param name="onSettled">Called (on the reading task) after each event that leaves the session not denoising.</param>
    public SessionObserver(HttpClient http, Action<SessionObserver> onSettled)
    {
        _http = http;
        _onSettled = onSettled;
    }

    /// <summary>The version of the first snapshot: the history starts there.</summary>
    public long FirstVersion { get; private set; }

    public long LastVersion { get; private set; }

    public string Status { get; private set; } = "";

    /// <summary>Snapshots after the first (the stream could not continue with deltas): history before them is lost.</summary>
    public int Resyncs { get; private set; }

    public (long Version, string Text) Current
    {
        get { lock (_sync) return (LastVersion, _text); }
    }

    public async Task Start(string session)
    {
        var response = await CollabApi.Events(_http, session, _stop.Token);
        _reading = Task.Run(() => Read(response));
        await _first.Task;
    }

    /// <summary>The changes after <paramref name="baseVersion"/> up to <paramref name="version"/> and the text's length at <paramref name="version"/>; null when the history does not cover them.</summary>
    public (IReadOnlyList<TextChange> Changes, int Length)? History(long baseVersion, long version)
    {
        lock (_sync)
        {
            if (Resyncs > 0 || baseVersion < FirstVersion || version > LastVersion || baseVersion > version) return null;
            var from = (int)(baseVersion - FirstVersion);
            var to = (int)(version - FirstVersion);
            return (_changes.GetRange(from, to - from), _lengths[to]);
        }
    }

    public Task WhenVersion(long version, TimeSpan timeout)
    {
        lock (_sync)
        {
            if (LastVersion >= version) return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((version, reached));
            return reached.Task.WaitAsync(timeout);
        }
    }

    private async Task Read(HttpResponseMessage response)
    {
        try
        {
            await SessionEventStream.Follow(response, "observer", (_, e) =>
            {
                lock (_sync) Take(e);
                _first.TrySetResult();
                if (e.Status is not null and not "denoising") _onSettled(this);
            }, _stop.Token);
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

    private void Take(WireEvent e)
    {
        if (e.Change is null)
        {
            if (_lengths.Count > 0) Resyncs++;
            FirstVersion = e.Version;
            _changes.Clear();
            _lengths.Clear();
            _text = e.Text!;
            _lengths.Add(_text.Length);
        }
        else
        {
            if (e.Version <= LastVersion) return;
            if (e.Version != LastVersion + 1) throw new InvalidOperationException($"the stream jumped from version {LastVersion} to {e.Version}");
            _text = e.Change.Apply(_text);
            _changes.Add(e.Change);
            _lengths.Add(_text.Length);
        }
        LastVersion = e.Version;
        if (e.Status is not null) Status = e.Status;
        foreach (var waiter in _waiters.Where(w => w.Version <= LastVersion).ToList())
        {
            _waiters.Remove(waiter);
            waiter.Reached.SetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
    }
}
