using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Limits;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Telemetry;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// One editing session (key `tenant/session`), composed of cluster-free parts: the document
/// (<see cref="SessionDocument"/>), its writes (<see cref="SessionCheckpointer"/>), the resume reminder
/// (<see cref="SessionResumeReminder"/>), the tenant slot (<see cref="TenantSlot"/>), the watchers and presence
/// (<see cref="SessionBroadcaster"/>), edits rebased through the change log (<see cref="EditRequestRebaser"/>), the denoising loop (<see cref="DenoisingLoop"/>, <see cref="StepRunner"/>,
/// <see cref="StepBackoff"/>), settling (<see cref="SessionSettler"/>), the index entry and usage reports.
/// Concurrency: the grain is not reentrant, but the denoising loop runs as an interleaving grain timer, so while it
/// awaits the model worker, edits, cancels and reads are served. Every change to the document happens under
/// <see cref="_documentLock"/>, and a step whose document changed while it ran (<see cref="SessionDocument.Generation"/>)
/// is discarded — so versions are strictly sequential and an edit never races a commit. <see cref="Get"/> and watchers
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
    private readonly SemaphoreSlim _documentLock = new(1, 1);
    private SessionBroadcaster _watchers = null!;
    private IDisposable? _presenceTimer;
    private string _tenant = "";
    private string _session = "";
    private string _key = "";
    private SessionDocument _document = null!;
    private SessionCheckpointer _checkpointer = null!;
    private SessionResumeReminder _reminder = null!;
    private TenantSlot _slot = null!;
    private SessionUsageReporter _usage = null!;
    private SessionStateCodec? _codec;
    private SessionPriority _priority;
    private bool _transient;
    private bool _suspended;
    // Get interleaves with Create: a Get that finds no session while one is being created must not deactivate it.
    private bool _creating;
    private DenoisingLoop _loop = null!;
    private SessionIndexEntry _index = null!;
    private AbsentSessionExit _absent = null!;
    private SessionSettler _settler = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Compose();
        SeedGrainsMetrics.SessionsActive.Add(1);
        if (!state.RecordExists || !state.State.Exists) return;

        var saved = state.State;
        (_priority, _transient, _suspended) = (saved.Priority, saved.Transient, saved.Suspended);
        var canvas = Codec.Restore(saved);
        if (canvas.Masked == 0)
        {
            canvas.ReleaseTokenCaches();
            _document.Load(canvas, saved.Version, saved.Status, saved.Error);
            _document.Render();
            return;
        }
        // Steps after the last write may have shown versions up to Version + masks (each step commits ≥ 1 token).
        // Skip past them and record the jump, so no version number is ever reused for different text.
        _document.Load(canvas, saved.Version + canvas.Masked + 1, SessionStatus.Denoising, saved.Error);
        _reminder.MayHold = true; // persisted "denoising" ⇒ the reminder was registered first
        await _checkpointer.Write(Capture());
        try { await _slot.Acquire(); }
        catch (QuotaExceededException ex) { logger.LogWarning(ex, "Session {Key} resumes over its tenant's quota", _key); }
        logger.LogInformation("Session {Key} resumed denoising on {Silo} at version {Version} (checkpoint version {Saved}, {Masked} of {Budget} tokens still masked)",
            _key, RuntimeIdentity, _document.Version, saved.Version, canvas.Masked, saved.Budgets.Sum());
        _document.Render();
        StartLoop();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        SeedGrainsMetrics.SessionsActive.Add(-1);
        _watchers.CompleteAll();
        // An activation that lost the session to another writes nothing: the owner's state stands.
        if (_document.Exists && !_checkpointer.OwnershipLost && !await SaveBeforeLeaving(reason, cancellationToken)) return;
        // After the document is safe: a usage report is a grain call that may be slow while a silo shuts down, and the
        // deactivation's time must go to the checkpoint first.
        await _usage.Report();
    }

    /// <summary>False when the deactivation ran out of time (the last checkpoint stands).</summary>
    private async Task<bool> SaveBeforeLeaving(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A settled result whose write failed would otherwise be regenerated (differently) by the next activation.
        if (_checkpointer.SettledUnsaved)
        {
            await WriteSettled();
            return true;
        }
        // Leaving while denoising — a graceful silo shutdown (rolling restart), or the runtime moving the activation for any
        // other reason — hands the session over: keep the progress since the last checkpoint. (A duplicate activation
        // being removed owns nothing to save.)
        if (reason.ReasonCode == DeactivationReasonCode.DuplicateActivation || !_document.IsDenoising || _checkpointer.StepsSinceWrite == 0) return true;
        try
        {
            await _documentLock.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        try { await _checkpointer.Write(Capture(), bestEffort: true); }
        finally { _documentLock.Release(); }
        return true;
    }

    /// <summary>
    /// The resume reminder: its only job is to get the session activated (which resumes denoising from the last
    /// checkpoint). On a live activation it retries a settled state that could not be written, or drops itself once
    /// the session is no longer denoising.
    /// </summary>
    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName != ResumeReminder ? Task.CompletedTask : Locked(async () =>
    {
        if (_document.Exists && _document.IsDenoising)
        {
            StartLoop(); // normally running already; a no-op then
            return;
        }
        if (_checkpointer.SettledUnsaved && !await WriteSettled()) return; // keep the reminder: it retries
        // Idempotent on the tenant: also frees a slot left taken by an activation that could not release it.
        _slot.OweRelease();
        if (!await _slot.Release()) return;
        _reminder.MayHold = true;
        await _reminder.Drop();
        if (!_document.Exists) DeactivateOnIdle(); // a reminder left by a create that was never written
    });

    public async Task<SessionSnapshot> Create(CreateSessionRequest request)
    {
        if (request?.Text is null) throw new InvalidSessionRequestException("text is required.");
        await _documentLock.WaitAsync();
        _creating = true;
        try
        {
            if (_document.Exists) throw new InvalidSessionRequestException($"Session '{_session}' already exists.");
            CheckSize(request.Text.Length, request.MaxTextChars, "text");
            if (!request.Transient) await _index.CheckStoredSessionsQuota();
            var canvas = Codec.Create(request.Text, request.Regions ?? [], DecodingResolver.Resolve(request.Decoding, _options));
            (_priority, _transient) = (request.Priority, request.Transient);
            await StoreChange(canvas, 1, changes: null);
            if (!_transient) _usage.Meter.Created();
            var snapshot = Publish(SessionUpdateKind.Edit, []);
            if (_document.IsDenoising) StartLoop();
            else await _settler.Settle(_document.Canvas, _transient);
            await RecordInIndex();
            return snapshot;
        }
        finally
        {
            _creating = false;
            // A create that failed leaves no session behind, and no activation either.
            if (!_document.Exists) DeactivateOnIdle();
            _documentLock.Release();
        }
    }

    public Task<SessionSnapshot> Get() => Task.FromResult(_document.Snapshot ?? throw NotFound());

    public Task<SessionSnapshot> Edit(EditRequest request) => request is null
        ? throw new InvalidSessionRequestException("An edit request is required.")
        : Locked(async () =>
        {
            var canvas = _document.Canvas ?? throw NotFound();
            // Sent again after a lost answer, and already in the log: applied once, answered with the current state.
            if (EditRequestRebaser.AlreadyApplied(_document.Log, request)) return _document.Snapshot!;
            var rebased = EditRequestRebaser.Rebase(_document.Log, _document.Snapshot!.Text.Length, request);
            var (edited, changes) = EditApplier.Apply(canvas, rebased, request, _document.Version, DecodingResolver.Resolve(request.Decoding, _options));
            CheckSize(edited.FixedLength, request.MaxTextChars, "text after the edits");
            await StoreChange(edited, changes[^1].Version, changes);
            var snapshot = Publish(SessionUpdateKind.Edit, changes);
            if (_document.IsDenoising) StartLoop();
            await RecordInIndex();
            return snapshot;
        });

    public Task<SessionSnapshot> Cancel() => Locked(async () =>
    {
        if (!_document.Exists) throw NotFound();
        if (_document.IsDenoising) await StopDenoising(SessionStatus.Cancelled, error: null);
        return _document.Snapshot!;
    });

    public Task Purge() => Locked(async () =>
    {
        // First, so that an entry whose session is gone (or cannot be read) still leaves the list.
        await _index.Remove();
        if (!_document.Exists && !state.RecordExists) throw NotFound();
        _loop.Stop();
        _document.Purging(); // a step in flight commits nothing now
        await _slot.Release();
        await _checkpointer.Clear();
        _reminder.MayHold = true; // look it up: an earlier activation may have registered it
        await _reminder.Drop();
        _watchers.CompleteAll();
        _document.Clear();
        DeactivateOnIdle();
        if (logger.IsEnabled(LogLevel.Information)) logger.LogInformation("Session {Tenant}/{Session} purged", _tenant, _session);
    });

    /// <summary>
    /// Tenant suspension hook: stops the denoising loop (a step under way finishes) or restarts it. Persisted, so an
    /// activation of a suspended session (e.g. after its silo died) does not step either.
    /// </summary>
    public Task SetSuspended(bool suspended) => Locked(async () =>
    {
        if (_suspended == suspended) return;
        _suspended = suspended;
        if (suspended)
        {
            _loop.Stop();
            _document.DiscardStepsInFlight(); // a suspended document does not move
        }
        if (_document.Exists) await _checkpointer.Write(Capture());
        if (!suspended && _document.IsDenoising) StartLoop();
    });

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
        _presenceTimer ??= this.RegisterGrainTimer(() =>
        {
            _watchers.ExpirePresence();
            if (_watchers.Presence.Count > 0) return Task.CompletedTask;
            _presenceTimer?.Dispose();
            _presenceTimer = null;
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(PresenceBoard.Ttl / 6, PresenceBoard.Ttl / 6) { Interleave = true, KeepAlive = false });
        return Task.CompletedTask;
    }

    private void StartLoop()
    {
        if (!_suspended && !_checkpointer.OwnershipLost) _loop.Start();
    }

    /// <summary>The step of the window's first masked region, by that region's decoding (policy, seed, block, steps left).</summary>
    private (StepWindow, StepCall) PrepareStep(DocumentCanvas canvas)
    {
        var window = canvas.BuildWindow(runtimes.MaxWindow);
        var seed = window.Decoding.StepSeed(window.StepsTaken, StableHash.Of(_key) ^ (ulong)_document.Version);
        return (window, new StepCall(_tenant, _session, _priority, window.Tokens, window.Decoding.ToPolicy(), seed, window.StepsLeft, _slot.Weight,
            window.CommitFrom, window.CommitTo));
    }

    /// <summary>Writes a step's commits into the document, then settles or checkpoints. Caller holds the lock.</summary>
    private async Task Commit(StepWindow window, StepReply reply)
    {
        int committed;
        TextChange change;
        try
        {
            (committed, change) = _document.CommitStep(window, reply.Commits);
        }
        catch (InvalidOperationException ex)
        {
            logger.LogError(ex, "Model broke the step contract for session {Key}", _key);
            await StopDenoising(SessionStatus.Failed, ex.Message);
            return;
        }
        _slot.Committed(committed);
        _usage.Meter.Committed(committed);
        Publish(SessionUpdateKind.Step, [change]);
        _checkpointer.StepTaken();
        if (!_document.IsDenoising)
        {
            _loop.Stop();
            await WriteSettled();
            await _settler.Settle(_document.Canvas, _transient);
            await RecordInIndex();
        }
        else if (_checkpointer.CheckpointDue)
        {
            // Progress is recomputable, so a failed checkpoint only costs work after a crash; keep denoising.
            await _checkpointer.Write(Capture(), bestEffort: true);
            await _usage.Report();
        }
    }

    /// <summary>
    /// Stores a client's change (create, edit) before it is acknowledged. The slot and the reminder come first, so a
    /// stored "denoising" is always resumable; when any of it fails, nothing of the change is kept.
    /// </summary>
    private async Task StoreChange(DocumentCanvas canvas, long version, IReadOnlyList<TextChange>? changes)
    {
        var status = canvas.Masked > 0 ? SessionStatus.Denoising : SessionStatus.Idle;
        var acquired = await _slot.AcquireIf(status == SessionStatus.Denoising);
        try
        {
            if (status == SessionStatus.Denoising) await _reminder.Ensure();
            await _checkpointer.Write(Capture(canvas, version, status, error: null));
        }
        catch
        {
            if (acquired) await _slot.Release();
            throw;
        }
        if (changes is null) _document.Start(canvas, version, status);
        else _document.Replace(canvas, status, error: null, changes);
    }

    /// <summary>Cancel or fail: drop the masks, keep what was committed, record and announce it. Caller holds the lock.</summary>
    private async Task StopDenoising(SessionStatus status, string? error)
    {
        var stopped = _document.Canvas!.WithoutMasks();
        // The model's regions stop: the dropped masks are the model's change, which no person's edit conflicts with.
        var change = new TextChange(_document.Version + 1, ChangeAuthors.Model, stopped.Ranges);
        await _checkpointer.WriteSettled(Capture(stopped.Canvas, change.Version, status, error), bestEffort: status == SessionStatus.Failed);
        _document.Replace(stopped.Canvas, status, error, [change]);
        _loop.Stop();
        Publish(SessionUpdateKind.Status, [change]);
        await _settler.Settle(_document.Canvas, _transient);
        await RecordInIndex();
    }

    private Task<bool> WriteSettled() => _checkpointer.WriteSettled(Capture());

    private SessionState Capture() => Capture(_document.Canvas!, _document.Version, _document.Status, _document.Error);

    private SessionState Capture(DocumentCanvas canvas, long version, SessionStatus status, string? error) =>
        Codec.Capture(canvas, version, status, error, _priority, _transient, _suspended);

    private SessionSnapshot Publish(SessionUpdateKind kind, IReadOnlyList<TextChange> changes)
    {
        _watchers.Published(kind, changes);
        return _document.Snapshot!;
    }

    private async Task<T> Locked<T>(Func<Task<T>> work)
    {
        await _documentLock.WaitAsync();
        try
        {
            return await work();
        }
        finally
        {
            _documentLock.Release();
        }
    }

    private Task Locked(Func<Task> work) => Locked(async () =>
    {
        await work();
        return true;
    });

    /// <summary>Builds the session's parts once its key is known.</summary>
    private void Compose()
    {
        _key = this.GetPrimaryKeyString();
        (_tenant, _session) = SessionKey.Parse(_key);
        var time = clock.Time;
        _document = new SessionDocument(_session, time, _options.ChangeLog);
        _watchers = new SessionBroadcaster(_document, time);
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
        var steps = new StepRunner((call, ct) => workers.Step(call, _key).WaitAsync(ct), () => SiloStatus.IsStopping(ServiceProvider),
            new StepBackoff(time, _options), logger, _key);
        // One step per tick, so a deactivation (which waits for a running tick) waits for one step at most.
        // Interleave: a tick awaits the worker; edits, cancels and reads must run meanwhile.
        // KeepAlive: a session that is denoising must not be collected for idleness.
        _loop = new DenoisingLoop(_document, _documentLock, steps, _usage.Meter, PrepareStep, Commit, error => StopDenoising(SessionStatus.Failed, error),
            tick => this.RegisterGrainTimer(tick, new GrainTimerCreationOptions(TimeSpan.Zero, StepInterval) { Interleave = true, KeepAlive = true }));
        _index = new SessionIndexEntry(GrainFactory.GetGrain<ISessionIndexGrain>(TenantGrainKeys.SessionIndex(_tenant)), () => Tenant.GetQuotas(),
            time, logger, _tenant, _session, _key);
        _settler = new SessionSettler(_slot, _usage, _checkpointer, _reminder, delay => this.RegisterGrainTimer(() =>
        {
            if (!_document.IsDenoising) DeactivateOnIdle();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { Interleave = true }), _options, logger, _key);
        _absent = new AbsentSessionExit((callback, delay) => this.RegisterGrainTimer(callback,
            new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = false }),
            () => !_document.Exists && !_creating, DeactivateOnIdle);
    }

    /// <summary>Built on first use: only a session with a document needs the model's tokenizer.</summary>
    private SessionStateCodec Codec => _codec ??= new SessionStateCodec(runtimes.Tokenizer, runtimes.Specials, runtimes.ModelName, _options, logger, _key);

    private ITenantGrain Tenant => GrainFactory.GetGrain<ITenantGrain>(_tenant);

    /// <summary>Transient (completion) sessions delete themselves and are never listed.</summary>
    private Task RecordInIndex() => _transient || _document.Snapshot is not { } snapshot ? Task.CompletedTask : _index.Record(snapshot);

    private static void CheckSize(int length, int maxTextChars, string what)
    {
        if (length > maxTextChars)
            throw new InvalidSessionRequestException($"The {what} has {length} characters; the limit is {maxTextChars}.");
    }

    /// <summary>"Not found" also lets the activation go soon (<see cref="AbsentSessionExit"/>); a session being created keeps it.</summary>
    private SessionNotFoundException NotFound()
    {
        if (!_document.Exists && !_creating) _absent.Schedule();
        return new($"No session '{_session}'.");
    }

    public void Dispose() => _documentLock.Dispose();
}
