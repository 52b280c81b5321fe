using System.Threading.Channels;
using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>
/// One simulated person: their own HTTP connections, the session's change stream and a <see cref="ClientDocument"/>
/// (the client library: local copy, unacknowledged edits rebased on every incoming change, one edit in flight). They
/// type random edits at their pace into the local text; whatever the document hands out to send is POSTed with the
/// (often stale) version it is based on, and the answer is timed. A 409 goes back to the document (which undoes the
/// edit); acknowledgements arrive through the stream.
/// </summary>
internal sealed class CollabClient : IAsyncDisposable
{
    private readonly Lock _sync = new();
    private readonly HttpClient _http;
    private readonly string _session;
    private readonly CollabTally _tally;
    private readonly ConflictAudit _audit;
    private readonly Channel<PersonEdit> _outbox = Channel.CreateUnbounded<PersonEdit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private readonly List<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = [];
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientDocument? _document;
    private string _status = "";
    private Task _reading = Task.CompletedTask;
    private Task _sending = Task.CompletedTask;

    public CollabClient(string clientId, HttpClient http, string session, CollabTally tally, ConflictAudit audit)
    {
        ClientId = clientId;
        _http = http;
        _session = session;
        _tally = tally;
        _audit = audit;
    }

    public string ClientId { get; }

    public string Text
    {
        get { lock (_sync) return _document!.Text; }
    }

    /// <summary>Opens the stream and builds the local copy from its snapshot.</summary>
    public async Task Join()
    {
        var response = await CollabApi.Events(_http, _session, _stop.Token);
        _reading = Task.Run(() => Read(response));
        await _first.Task;
        _sending = Task.Run(Send);
    }

    /// <summary>Types <paramref name="edits"/> edits, one every ~<paramref name="interval"/> (uniformly 0–2×), until done or <paramref name="until"/>.</summary>
    public async Task Type(int edits, TimeSpan interval, Random random, CancellationToken until)
    {
        for (var i = 0; i < edits && !until.IsCancellationRequested; i++)
        {
            try
            {
                await Task.Delay(interval * (2 * random.NextDouble()), until);
            }
            catch (OperationCanceledException) when (until.IsCancellationRequested)
            {
                return;
            }
            lock (_sync)
            {
                var before = _document!.Pending.Count;
                var toSend = _document.LocalEdit([RandomTyping.Next(_document.Text, random)]);
                if (_document.Pending.Count > before) Interlocked.Increment(ref _tally.Typed);
                Queue(toSend);
            }
        }
    }

    /// <summary>Completes once every edit typed was acknowledged or undone.</summary>
    public Task Drained(TimeSpan timeout) => When(() => _document!.Pending.Count == 0, timeout);

    /// <summary>Completes once the local copy has caught up with <paramref name="version"/>.</summary>
    public Task Reached(long version, TimeSpan timeout) => When(() => _document!.ConfirmedVersion >= version, timeout);

    private Task When(Func<bool> done, TimeSpan timeout)
    {
        lock (_sync)
        {
            if (Failure is not null) return Task.FromException(Failure);
            if (done()) return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((done, signal));
            return signal.Task.WaitAsync(timeout);
        }
    }

    private async Task Read(HttpResponseMessage response)
    {
        try
        {
            await SessionEventStream.Follow(response, ClientId, (frame, e) =>
            {
                _tally.Frame(frame, e.Change?.IsByModel == true);
                lock (_sync) Take(e);
                _first.TrySetResult();
            }, _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    /// <summary>Caller holds the lock.</summary>
    private void Take(WireEvent e)
    {
        if (e.Status is not null) _status = e.Status;
        if (e.Change is null)
        {
            // Only the first event may be a snapshot: a later one means deltas could not continue.
            if (_document is not null) throw new InvalidOperationException($"{ClientId}: the stream resynchronised with a snapshot at version {e.Version}");
            _document = new ClientDocument(ClientId, e.Text!, e.Version);
            return;
        }
        if (e.Change.Author == ClientId) Interlocked.Increment(ref _tally.AcknowledgedOnStream);
        var update = _document!.OnServerChange(e.Change);
        foreach (var id in update.RolledBack)
        {
            if (_sent.Contains(id)) Interlocked.Increment(ref _tally.RolledBackInFlight);
            else Interlocked.Increment(ref _tally.RolledBackUnsent);
        }
        Queue(update.ToSend);
        Signal();
    }

    private async Task Send()
    {
        try
        {
            await foreach (var edit in _outbox.Reader.ReadAllAsync(_stop.Token))
            {
                Interlocked.Increment(ref _tally.Sent);
                lock (_sync)
                {
                    _sent.Add(edit.EditId!);
                    if (_status == "denoising") Interlocked.Increment(ref _tally.SentWhileDenoising);
                }
                var answer = await CollabApi.Edit(_http, _session, edit, _stop.Token);
                _tally.Answered(answer);
                if (answer.Accepted) continue;
                if (answer.IsConflict) _audit.Conflicted(edit, answer);
                lock (_sync)
                {
                    Queue(_document!.OnRejected(edit.EditId!).ToSend);
                    Signal();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private void Queue(PersonEdit? toSend)
    {
        if (toSend is not null) _outbox.Writer.TryWrite(toSend);
    }

    /// <summary>Caller holds the lock.</summary>
    private void Signal()
    {
        foreach (var waiter in _waiters.Where(w => w.Done()).ToList())
        {
            _waiters.Remove(waiter);
            waiter.Signal.TrySetResult();
        }
    }

    private void Fail(Exception ex)
    {
        _first.TrySetException(ex);
        lock (_sync)
        {
            foreach (var w in _waiters) w.Signal.TrySetException(ex);
            _waiters.Clear();
            Failure ??= ex;
        }
    }

    /// <summary>The first error of the stream or the sender, if any.</summary>
    public Exception? Failure { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _outbox.Writer.TryComplete();
        await _reading;
        await _sending;
        _stop.Dispose();
    }
}
