using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Limits;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Telemetry;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// One editing session (key `tenant/session`), composed of cluster-free parts: the document
/// (<see cref="SessionDocument"/>) and its write path (<see cref="SessionWriter"/>: stores, commits, settles via
/// <see cref="SessionSettler"/>), its writes (<see cref="SessionCheckpointer"/>), activations taking over and handing
/// back (<see cref="SessionHandover"/>, the <see cref="SessionResumeReminder"/>), the tenant slot (<see cref="TenantSlot"/>),
/// watchers and presence (<see cref="SessionBroadcaster"/>, <see cref="PresenceExpiry"/>), edits rebased through the
/// change log (<see cref="EditRequestRebaser"/>), the denoising loop (<see cref="DenoisingLoop"/>, <see cref="StepRunner"/>,
/// <see cref="StepBackoff"/>), the index entry and usage reports.
/// Concurrency: the grain is not reentrant, but the denoising loop runs as an interleaving grain timer, so while it
/// awaits the model worker, edits, cancels and reads are served. Every change to the document happens under the
/// <see cref="DocumentLock"/>; a step whose document was edited while it ran commits into the masks the edits left
/// (found by identity, <see cref="MaskIdentity"/>) — so versions are strictly sequential and an edit never races a commit. <see cref="Get"/> and watchers
/// only read the immutable last snapshot.
/// Durability (docs/operations.md): create, edit and cancel are written before they are acknowledged; denoising
/// progress is checkpointed; while a persisted state says "denoising" the session holds a reminder
/// (<see cref="ResumeReminder"/>), so that after its silo dies the reminder reactivates it elsewhere and denoising
/// resumes from the last checkpoint without any client call.
/// </summary>
// Idle sessions are cheap to bring back (text + spans), so let them go sooner than the default.
[CollectionAgeLimit(Minutes = 5)]
public sealed class SessionGrain(
    [PersistentState("session", StorageNames.Sessions)] IPersistentState<SessionState> state,
    ModelRuntimes runtimes,
    ModelWorkerLocator workers,
    SeedGrainsClock clock,
    IOptions<SessionOptions> options,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, IRemindable, IDisposable
{
    /// <summary>Name of the reminder a denoising session holds (registered before "denoising" is persisted, dropped once the settled state is).</summary>
    public const string ResumeReminder = "resume-denoising";

    private static readonly TimeSpan StepInterval = TimeSpan.FromMilliseconds(1);
    private readonly SessionOptions _options = options.Value;
    private readonly DocumentLock _lock = new();
    private readonly SessionFlags _flags = new();
    private SessionBroadcaster _watchers = null!;
    private PresenceExpiry _presence = null!;
    private string _tenant = "";
    private string _session = "";
    private string _key = "";
    private SessionDocument _document = null!;
    private SessionCheckpointer _checkpointer = null!;
    private SessionResumeReminder _reminder = null!;
    private TenantSlot _slot = null!;
    private SessionUsageReporter _usage = null!;
    private SessionStateCodec? _codec;
    // Get interleaves with Create: a Get that finds no session while one is being created must not deactivate it.
    private bool _creating;
    private DenoisingLoop _loop = null!;
    private SessionIndexEntry _index = null!;
    private AbsentSessionExit _absent = null!;
    private SessionSettler _settler = null!;
    private SessionWriter _writer = null!;
    private SessionHandover _handover = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Compose();
        SeedGrainsMetrics.SessionsActive.Add(1);
        if (state.RecordExists && state.State.Exists && await _handover.Resume(state.State, RuntimeIdentity)) StartLoop();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        SeedGrainsMetrics.SessionsActive.Add(-1);
        _watchers.CompleteAll();
        await _handover.Leave(reason.ReasonCode == DeactivationReasonCode.DuplicateActivation, cancellationToken);
    }

    /// <summary>The resume reminder (<see cref="SessionHandover.OnReminder"/>).</summary>
    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName != ResumeReminder ? Task.CompletedTask : _lock.Run(async () =>
    {
        switch (await _handover.OnReminder())
        {
            case ReminderOutcome.Denoise: StartLoop(); break; // normally running already; a no-op then
            case ReminderOutcome.Leave: DeactivateOnIdle(); break;
        }
    });

    public async Task<SessionSnapshot> Create(CreateSessionRequest request)
    {
        if (request?.Text is null) throw new InvalidSessionRequestException("text is required.");
        await _lock.Semaphore.WaitAsync();
        _creating = true;
        try
        {
            if (_document.Exists) throw new InvalidSessionRequestException($"Session '{_session}' already exists.");
            TextLimit.Check(request.Text.Length, request.MaxTextChars, "text");
            if (!request.Transient) await _index.CheckStoredSessionsQuota();
            var canvas = Codec.Create(request.Text, request.Regions ?? [], DecodingResolver.Resolve(request.Decoding, _options));
            (_flags.Priority, _flags.Transient) = (request.Priority, request.Transient);
            return await _writer.Create(canvas);
        }
        finally
        {
            _creating = false;
            // A create that failed leaves no session behind, and no activation either.
            if (!_document.Exists) DeactivateOnIdle();
            _lock.Semaphore.Release();
        }
    }

    public Task<SessionSnapshot> Get() => Task.FromResult(_document.Snapshot ?? throw NotFound());

    public Task<SessionSnapshot> Edit(EditRequest request) => request is null
        ? throw new InvalidSessionRequestException("An edit request is required.")
        : _lock.Run(async () =>
        {
            var canvas = _document.Canvas ?? throw NotFound();
            // Sent again after a lost answer, and already in the log: applied once, answered with the current state.
            if (EditRequestRebaser.AlreadyApplied(_document.Log, request)) return _document.Snapshot!;
            var rebased = EditRequestRebaser.Rebase(_document.Log, _document.Snapshot!.Text.Length, request);
            var (edited, changes) = EditApplier.Apply(canvas, rebased, request, _document.Version, DecodingResolver.Resolve(request.Decoding, _options));
            TextLimit.Check(edited.FixedLength, request.MaxTextChars, "text after the edits");
            return await _writer.Edit(edited, changes);
        });

    public Task<SessionSnapshot> Cancel() => _lock.Run(async () =>
    {
        if (!_document.Exists) throw NotFound();
        if (_document.IsDenoising) await _writer.StopDenoising(SessionStatus.Cancelled, error: null);
        return _document.Snapshot!;
    });

    public Task Purge() => _lock.Run(async () =>
    {
        // First, so that an entry whose session is gone (or cannot be read) still leaves the list.
        await _index.Remove();
        if (!_document.Exists && !state.RecordExists) throw NotFound();
        await _writer.Remove();
        DeactivateOnIdle();
        if (logger.IsEnabled(LogLevel.Information)) logger.LogInformation("Session {Tenant}/{Session} purged", _tenant, _session);
    });

    /// <summary>Tenant suspension hook (<see cref="SessionWriter.Suspend"/>).</summary>
    public Task SetSuspended(bool suspended) => _lock.Run(() => _writer.Suspend(suspended));

    /// <summary>
    /// Snapshot and subscription happen in one turn of the grain, so no update falls between them. A slow watcher loses
    /// the oldest updates, never the newest (each update carries the whole state).
    /// </summary>
    public async IAsyncEnumerable<SessionUpdate> Watch(bool untilSettled, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!_document.Exists) throw NotFound();
        await foreach (var update in _watchers.Watch(untilSettled, cancellationToken))
            yield return update;
    }

    /// <summary>The delta stream (<see cref="SessionBroadcaster.Events"/>); subscribed in this turn.</summary>
    public async IAsyncEnumerable<SessionEvent> Events(long? lastEventId, bool untilSettled, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!_document.Exists) throw NotFound();
        await foreach (var e in _watchers.Events(lastEventId, untilSettled, cancellationToken))
            yield return e;
    }

    /// <summary>No document change, so no lock: it runs within one turn. Silent clients expire on a timer while any is present.</summary>
    public Task SetPresence(PresenceUpdate update)
    {
        if (!_document.Exists) throw NotFound();
        _watchers.SetPresence(update ?? throw new InvalidSessionRequestException("A presence is required."));
        _presence.Touch();
        return Task.CompletedTask;
    }

    private void StartLoop()
    {
        if (!_flags.Suspended && !_checkpointer.OwnershipLost) _loop.Start();
    }

    /// <summary>Builds the session's parts once its key is known.</summary>
    private void Compose()
    {
        _key = this.GetPrimaryKeyString();
        (_tenant, _session) = SessionKey.Parse(_key);
        var time = clock.Time;
        _document = new SessionDocument(_session, time, _options.ChangeLog);
        _watchers = new SessionBroadcaster(_document, time);
        _presence = new PresenceExpiry(_watchers, (tick, period) =>
            this.RegisterGrainTimer(tick, new GrainTimerCreationOptions(period, period) { Interleave = true, KeepAlive = false }));
        _checkpointer = new SessionCheckpointer(new GrainSessionStateStore(state), _options, time, logger, _key, _session, () =>
        {
            // Another activation owns the session now: stop stepping and start over from storage.
            _loop.Stop();
            DeactivateOnIdle();
        });
        _reminder = new SessionResumeReminder(GrainResumeReminderRegistry.For(ServiceProvider, this.GetGrainId(), _options), logger, _key, _session);
        _slot = new TenantSlot(() => Tenant.AcquireSessionSlot(_session), tokens => Tenant.ReleaseSessionSlot(_session, tokens),
            async () => (await Tenant.GetQuotas()).Weight, logger, _tenant, _key);
        _usage = new SessionUsageReporter(delta => GrainFactory.GetGrain<ITenantUsageGrain>(TenantGrainKeys.Usage(_tenant)).Record(delta),
            tokens => GrainFactory.GetGrain<ITenantLimiterGrain>(TenantGrainKeys.Limiter(_tenant)).ChargeTokens(tokens), logger, _key,
            _tenant, runtimes.ModelName);
        _index = new SessionIndexEntry(GrainFactory.GetGrain<ISessionIndexGrain>(TenantGrainKeys.SessionIndex(_tenant)), () => Tenant.GetQuotas(),
            time, logger, _tenant, _session, _key);
        _settler = new SessionSettler(_slot, _usage, _checkpointer, _reminder, delay => this.RegisterGrainTimer(() =>
        {
            if (!_document.IsDenoising) DeactivateOnIdle();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { Interleave = true }), _options, logger, _key);
        _writer = new SessionWriter(_document, _checkpointer, _slot, _reminder, _watchers, _usage, _settler, _flags, () => Codec, StartLoop,
            () => _loop.Stop(), RecordInIndex, logger, _key);
        _handover = new SessionHandover(_document, _checkpointer, _reminder, _slot, _usage, _writer, _flags, () => Codec, _lock, logger, _key);
        var steps = new StepRunner((call, ct) => workers.Step(call, _key).WaitAsync(ct), () => SiloStatus.IsStopping(ServiceProvider),
            new StepBackoff(time, _options), logger, _key);
        // One step per tick, so a deactivation (which waits for a running tick) waits for one step at most.
        // Interleave: a tick awaits the worker; edits, cancels and reads must run meanwhile.
        // KeepAlive: a session that is denoising must not be collected for idleness.
        _loop = new DenoisingLoop(_document, _lock.Semaphore, steps, _usage.Meter,
            canvas => StepPreparation.For(canvas, runtimes.MaxWindow, _key, _document.Version, _flags.Priority, _slot.Weight), _writer.Commit,
            error => _writer.StopDenoising(SessionStatus.Failed, error),
            tick => this.RegisterGrainTimer(tick, new GrainTimerCreationOptions(TimeSpan.Zero, StepInterval) { Interleave = true, KeepAlive = true }));
        _absent = new AbsentSessionExit((callback, delay) => this.RegisterGrainTimer(callback,
            new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = false }),
            () => !_document.Exists && !_creating, DeactivateOnIdle);
    }

    /// <summary>Built on first use: only a session with a document needs the model's tokenizer.</summary>
    private SessionStateCodec Codec => _codec ??= new SessionStateCodec(runtimes.Tokenizer, runtimes.Specials, runtimes.ModelName, _options, logger, _key);

    private ITenantGrain Tenant => GrainFactory.GetGrain<ITenantGrain>(_tenant);

    /// <summary>Transient (completion) sessions delete themselves and are never listed.</summary>
    private Task RecordInIndex() => _flags.Transient || _document.Snapshot is not { } snapshot ? Task.CompletedTask : _index.Record(snapshot);

    /// <summary>"Not found" also lets the activation go soon (<see cref="AbsentSessionExit"/>); a session being created keeps it.</summary>
    private SessionNotFoundException NotFound()
    {
        if (!_document.Exists && !_creating) _absent.Schedule();
        return new($"No session '{_session}'.");
    }

    public void Dispose() => _lock.Dispose();
}
