using System.Diagnostics;

namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>
/// One run against a service: creates the session (the document with a region of masks in its middle line), starts
/// the observer, lets the clients join and type while the model denoises — whenever the model's region is done, the
/// benchmark regenerates a new one there (author <see cref="RearmClientId"/>), so the model keeps stepping — then
/// drains (every edit acknowledged or undone), cancels, checks that every client's copy equals the server's text,
/// audits the conflicts and purges the session.
/// </summary>
internal sealed class CollabRun(CollabApi api, CollabSettings settings)
{
    public const string RearmClientId = "bench-rearm";

    private readonly CollabTally _tally = new();
    private readonly ConflictAudit _audit = new();
    private readonly Lock _rearmSync = new();
    private Task _rearm = Task.CompletedTask;
    private bool _rearmStopped;
    private int _rearms;
    private long _rearmedAt;
    private string _session = "";

    public async Task<CollabResult> Execute()
    {
        var clock = Stopwatch.StartNew();
        _session = await api.Create(settings.Text, CollabDocument.MiddleLineStart(settings.Text), settings.RegionTokens);
        using var observerHttp = CollabApi.NewClient(api.Server, api.Key);
        var clientHttp = Enumerable.Range(0, settings.Clients).Select(_ => CollabApi.NewClient(api.Server, api.Key)).ToList();
        var clients = clientHttp.Select((http, i) => new CollabClient($"c{i + 1}", http, _session, _tally, _audit)).ToList();
        try
        {
            await using var observer = new SessionObserver(observerHttp, Rearm);
            await observer.Start(_session);
            var startVersion = observer.LastVersion;
            await Task.WhenAll(clients.Select(c => c.Join()));

            var typing = Stopwatch.StartNew();
            using var until = settings.Seconds > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(settings.Seconds)) : new CancellationTokenSource();
            await Task.WhenAll(clients.Select((c, i) => c.Type(settings.EditsPerClient, settings.Interval, new Random(HashCode.Combine(settings.Seed, i)), until.Token)));
            await Task.WhenAll(clients.Select(c => c.Drained(CollabSettings.DrainTimeout)));
            var typingSeconds = typing.Elapsed.TotalSeconds;

            Task pending;
            lock (_rearmSync)
            {
                _rearmStopped = true;
                pending = _rearm;
            }
            await pending;
            var (finalVersion, serverText, finalStatus) = await api.Cancel(_session);
            await observer.WhenVersion(finalVersion, CollabSettings.DrainTimeout);
            await Task.WhenAll(clients.Select(c => c.Reached(finalVersion, CollabSettings.DrainTimeout)));
            var converged = clients.Count(c => c.Text == serverText);
            var verdicts = _audit.Verify(observer, RearmClientId);
            // A cancel that stopped denoising is the model's last change (its masks dropped), not a step.
            var modelChanges = observer.History(startVersion, finalVersion)?.Changes.Count(c => c.IsByModel) ?? -1;
            var modelSteps = finalStatus == "cancelled" && modelChanges > 0 ? modelChanges - 1 : modelChanges;
            return new CollabResult(settings, _tally, verdicts, _rearms, modelSteps, startVersion, finalVersion, converged, observer.Resyncs,
                typingSeconds, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
            foreach (var http in clientHttp) http.Dispose();
            if (clients.Select(c => c.Failure).FirstOrDefault(f => f is not null) is { } failure)
                throw new InvalidOperationException($"a simulated client failed: {failure.Message}", failure);
            await api.Purge(_session);
        }
    }

    /// <summary>The model's region is done: mask a new one at the middle line (one at a time; none once the run drains).</summary>
    private void Rearm(SessionObserver observer)
    {
        lock (_rearmSync)
        {
            var (version, text) = observer.Current;
            // Events older than the last regenerate still say "idle": that region is on its way.
            if (_rearmStopped || !_rearm.IsCompleted || version < Volatile.Read(ref _rearmedAt)) return;
            _rearm = Task.Run(async () =>
            {
                // A 409 (a client's edit overlapped the spot): the next settled event tries again.
                if (await api.Regenerate(_session, RearmClientId, version, CollabDocument.MiddleLineStart(text), settings.RegionTokens) is { } rearmed)
                {
                    Volatile.Write(ref _rearmedAt, rearmed);
                    Interlocked.Increment(ref _rearms);
                }
            });
        }
    }
}
