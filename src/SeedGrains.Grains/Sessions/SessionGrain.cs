using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.Timers;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Limits;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Usage;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// One editing session (key `tenant/session`).
/// Concurrency: the grain is not reentrant, but the denoising loop runs as an interleaving grain timer, so while it
/// awaits the model worker, edits, cancels and reads are served. Every change to the document (edit, cancel, a
/// step's commits, settling) happens under <see cref="_documentLock"/>, and a step whose document changed while it
/// ran (<see cref="_generation"/>) is discarded — so versions are strictly sequential and an edit never races a commit.
/// <see cref="Get"/> and watchers only read the immutable last snapshot.
/// Versions: 1 at creation, +1 for every edit, every step that commits, cancel and failure.
/// Durability (docs/operations.md): create, edit and cancel are written to storage before they are acknowledged;
/// denoising progress is checkpointed every <see cref="SessionOptions.CheckpointEverySteps"/> steps or
/// <see cref="SessionOptions.CheckpointIntervalSeconds"/>; while a persisted state says "denoising" the session holds
/// a reminder (<see cref="ResumeReminder"/>), so that after its silo dies the reminder reactivates it elsewhere and
/// denoising resumes from the last checkpoint without any client call.
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

    private static readonly TimeSpan FirstBusyBackoff = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxBusyBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StepInterval = TimeSpan.FromMilliseconds(1);
    private readonly SessionOptions _options = options.Value;
    private readonly SemaphoreSlim _documentLock = new(1, 1);
    private readonly List<Channel<SessionUpdate>> _watchers = [];
    private string _tenant = "";
    private string _session = "";
    private DocumentCanvas? _canvas;
    private long _version;
    private SessionStatus _status;
    private string? _error;
    private SessionPriority _priority;
    private bool _transient;
    private SessionSnapshot? _snapshot;
    private IGrainTimer? _loop;
    private long _generation;
    private bool _holdsSlot;
    private long _tokensSinceSlot;
    private TimeSpan _backoff = FirstBusyBackoff;
    private DateTime? _transientSince;
    private DateTime _retryAt;
    private int _stepsSinceWrite;
    private DateTime _lastWrite = clock.UtcNow;
    private bool _mayHoldReminder;
    private IGrainReminder? _reminder;
    private bool _settledUnsaved;
    private bool _slotReleasePending;
    // Get interleaves with Create: a Get that finds no session while one is being created must not deactivate it.
    private bool _creating;
    private readonly SessionUsageMeter _usage = new();
    // The tenant's share of the model workers' batch slots, read when the session takes its denoising slot.
    private int _weight = 1;
    private bool _suspended;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _session) = SessionKey.Parse(this.GetPrimaryKeyString());
        if (!state.RecordExists || !state.State.Exists) return;

        var saved = state.State;
        _priority = saved.Priority;
        _transient = saved.Transient;
        _error = saved.Error;
        _status = saved.Status;
        _suspended = saved.Suspended;
        _version = saved.Version;
        _canvas = RestoreCanvas(saved);
        if (_canvas.Masked > 0)
        {
            // Steps after the last write may have shown versions up to Version + masks (each step commits ≥ 1 token).
            // Skip past them and record the jump, so no version number is ever reused for different text.
            _version = saved.Version + _canvas.Masked + 1;
            _status = SessionStatus.Denoising;
            _mayHoldReminder = true; // persisted "denoising" ⇒ the reminder was registered first
            await Persist(Capture(_canvas, _version, _status));
            try { await AcquireSlot(); }
            catch (QuotaExceededException ex) { logger.LogWarning(ex, "Session {Key} resumes over its tenant's quota", this.GetPrimaryKeyString()); }
            logger.LogInformation("Session {Key} resumed denoising on {Silo} at version {Version} (checkpoint version {Saved}, {Masked} of {Budget} tokens still masked)",
                this.GetPrimaryKeyString(), RuntimeIdentity, _version, saved.Version, _canvas.Masked, saved.Budgets.Sum());
            Render();
            StartLoop();
        }
        else
        {
            _canvas.ReleaseTokenCaches();
            Render();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        foreach (var watcher in _watchers)
            watcher.Writer.TryComplete();
        // A settled result whose write failed would otherwise be regenerated (differently) by the next activation.
        if (_settledUnsaved && _canvas is not null)
            await PersistSettled();
        // A graceful silo shutdown (rolling restart) hands the session over: keep the progress since the last checkpoint.
        else if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && _status == SessionStatus.Denoising && _stepsSinceWrite > 0 && _canvas is not null)
        {
            try
            {
                await _documentLock.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return; // out of time: the last checkpoint stands
            }
            try
            {
                await Persist(Capture(_canvas, _version, _status), bestEffort: true);
            }
            finally
            {
                _documentLock.Release();
            }
        }
        // After the document is safe: a usage report is a grain call that may be slow while a silo shuts down, and the
        // deactivation's time must go to the checkpoint first.
        await ReportUsage();
    }

    /// <summary>
    /// The resume reminder: its only job is to get the session activated (which resumes denoising from the last
    /// checkpoint). On a live activation it retries a settled state that could not be written, or drops itself once
    /// the session is no longer denoising.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ResumeReminder) return;
        await _documentLock.WaitAsync();
        try
        {
            if (_canvas is not null && _status == SessionStatus.Denoising)
            {
                StartLoop(); // normally running already; a no-op then
                return;
            }
            if (_settledUnsaved && !await PersistSettled()) return; // keep the reminder: it retries
            // Idempotent on the tenant: also frees a slot left taken by an activation that could not release it.
            _slotReleasePending = true;
            if (!await ReleaseSlot()) return;
            _mayHoldReminder = true;
            await DropResumeReminder();
            if (_canvas is null) DeactivateOnIdle(); // a reminder left by a create that was never written
        }
        finally
        {
            _documentLock.Release();
        }
    }

    public async Task<SessionSnapshot> Create(CreateSessionRequest request)
    {
        if (request?.Text is null) throw new InvalidSessionRequestException("text is required.");
        var regions = request.Regions ?? [];
        await _documentLock.WaitAsync();
        _creating = true;
        try
        {
            if (_canvas is not null)
                throw new InvalidSessionRequestException($"Session '{_session}' already exists.");
            CheckSize(request.Text.Length, request.MaxTextChars, "text");
            if (!request.Transient) await CheckStoredSessionsQuota();
            var canvas = DocumentCanvas.Create(request.Text, regions, runtimes.Tokenizer, runtimes.Specials, _options);
            var status = canvas.Masked > 0 ? SessionStatus.Denoising : SessionStatus.Idle;
            var acquired = await AcquireSlotIf(status == SessionStatus.Denoising);
            try
            {
                _priority = request.Priority;
                _transient = request.Transient;
                if (status == SessionStatus.Denoising) await EnsureResumeReminder();
                await Persist(Capture(canvas, 1, status));
            }
            catch
            {
                if (acquired) await ReleaseSlot();
                throw;
            }
            _canvas = canvas;
            _version = 1;
            _status = status;
            _generation++;
            if (!_transient) _usage.Created();
            var snapshot = Publish(SessionUpdateKind.Edit);
            if (status == SessionStatus.Denoising) StartLoop();
            else await Settled();
            await RecordInIndex();
            return snapshot;
        }
        finally
        {
            _creating = false;
            // A create that failed leaves no session behind, and no activation either.
            if (_canvas is null) DeactivateOnIdle();
            _documentLock.Release();
        }
    }

    public Task<SessionSnapshot> Get() => Task.FromResult(_snapshot ?? throw NotFound());

    public async Task<SessionSnapshot> Edit(EditRequest request)
    {
        if (request is null) throw new InvalidSessionRequestException("An edit request is required.");
        await _documentLock.WaitAsync();
        try
        {
            var canvas = _canvas ?? throw NotFound();
            if (request.BaseVersion != _version)
                throw new StaleVersionException($"baseVersion {request.BaseVersion} is stale: session '{_session}' is at version {_version}.", _version);
            var edited = canvas.WithEdits(request.Edits ?? [], request.Regenerate ?? []);
            CheckSize(edited.FixedLength, request.MaxTextChars, "text after the edits");
            var status = edited.Masked > 0 ? SessionStatus.Denoising : SessionStatus.Idle;
            var acquired = await AcquireSlotIf(status == SessionStatus.Denoising && !_holdsSlot);
            var version = _version + 1;
            try
            {
                if (status == SessionStatus.Denoising) await EnsureResumeReminder();
                await Persist(Capture(edited, version, status, error: null));
            }
            catch
            {
                if (acquired) await ReleaseSlot();
                throw;
            }
            _canvas = edited;
            _version = version;
            _status = status;
            _error = null;
            _generation++;
            var snapshot = Publish(SessionUpdateKind.Edit);
            if (status == SessionStatus.Denoising) StartLoop();
            await RecordInIndex();
            return snapshot;
        }
        finally
        {
            _documentLock.Release();
        }
    }

    public async Task<SessionSnapshot> Cancel()
    {
        await _documentLock.WaitAsync();
        try
        {
            if (_canvas is null) throw NotFound();
            if (_status != SessionStatus.Denoising) return _snapshot!;
            await StopDenoising(SessionStatus.Cancelled, error: null);
            return _snapshot!;
        }
        finally
        {
            _documentLock.Release();
        }
    }

    public async Task Purge()
    {
        await _documentLock.WaitAsync();
        try
        {
            // First, so that an entry whose session is gone (or cannot be read) still leaves the list.
            await Index.Remove(_session);
            if (_canvas is null && !state.RecordExists) throw NotFound();
            StopLoop();
            _generation++; // a step in flight commits nothing now
            _status = SessionStatus.None;
            _slotReleasePending = _holdsSlot || _slotReleasePending;
            await ReleaseSlot();
            await state.ClearStateAsync();
            _settledUnsaved = false;
            _mayHoldReminder = true; // look it up: an earlier activation may have registered it
            await DropResumeReminder();
            foreach (var watcher in _watchers) watcher.Writer.TryComplete();
            _canvas = null;
            _snapshot = null;
            DeactivateOnIdle();
            if (logger.IsEnabled(LogLevel.Information)) logger.LogInformation("Session {Tenant}/{Session} purged", _tenant, _session);
        }
        finally
        {
            _documentLock.Release();
        }
    }

    /// <summary>
    /// Tenant suspension hook: stops the denoising loop (a step under way finishes) or restarts it. Persisted, so an
    /// activation of a suspended session (e.g. after its silo died) does not step either.
    /// </summary>
    public async Task SetSuspended(bool suspended)
    {
        await _documentLock.WaitAsync();
        try
        {
            if (_suspended == suspended) return;
            _suspended = suspended;
            if (suspended)
            {
                StopLoop();
                _generation++; // a step in flight commits nothing: a suspended document does not move
            }
            if (_canvas is not null) await Persist(Capture(_canvas, _version, _status, _error));
            if (!suspended && _status == SessionStatus.Denoising) StartLoop();
        }
        finally
        {
            _documentLock.Release();
        }
    }

    public async IAsyncEnumerable<SessionUpdate> Watch(bool untilSettled, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var first = new SessionUpdate(SessionUpdateKind.Snapshot, _snapshot ?? throw NotFound());
        // Snapshot and subscription happen in one turn of the grain, so no update falls between them. A slow watcher
        // loses the oldest updates, never the newest (each update carries the whole state).
        var channel = Channel.CreateBounded<SessionUpdate>(new BoundedChannelOptions(256)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });
        _watchers.Add(channel);
        try
        {
            yield return first;
            if (untilSettled && first.Snapshot.Status.IsSettled()) yield break;
            while (await channel.Reader.WaitToReadAsync(cancellationToken))
            {
                while (channel.Reader.TryRead(out var update))
                {
                    yield return update;
                    if (untilSettled && update.Snapshot.Status.IsSettled()) yield break;
                }
            }
        }
        finally
        {
            _watchers.Remove(channel);
        }
    }

    private void StartLoop()
    {
        if (_loop is not null || _suspended) return;
        // One step per tick, so a deactivation (which waits for a running tick) waits for one step at most.
        // Interleave: a tick awaits the worker; edits, cancels and reads must run meanwhile.
        // KeepAlive: a session that is denoising must not be collected for idleness.
        _backoff = FirstBusyBackoff;
        _transientSince = null;
        _retryAt = DateTime.MinValue;
        _loop = this.RegisterGrainTimer(DenoiseTick, new GrainTimerCreationOptions(TimeSpan.Zero, StepInterval)
        {
            Interleave = true,
            KeepAlive = true,
        });
    }

    private void StopLoop()
    {
        _loop?.Dispose();
        _loop = null;
    }

    private async Task DenoiseTick(CancellationToken cancellationToken)
    {
        if (_status != SessionStatus.Denoising || _canvas is not { Masked: > 0 })
        {
            StopLoop();
            return;
        }
        if (clock.UtcNow < _retryAt) return;

        var generation = _generation;
        var window = _canvas.BuildWindow(runtimes.MaxWindow);
        var call = new StepCall(_tenant, _session, _priority, window.Tokens, _options.Policy,
            StableHash.Of(this.GetPrimaryKeyString()) ^ (ulong)_version, _options.StepsLeft(window.Masked, window.StepsTaken), _weight);
        StepReply reply;
        try
        {
            // WaitAsync: a deactivation that cancels the tick must not wait for a step sitting in a long queue.
            reply = await workers.Step(call, this.GetPrimaryKeyString()).WaitAsync(cancellationToken);
            _usage.Step(window.Tokens.Length);
            _transientSince = null;
            _backoff = FirstBusyBackoff;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // Deactivating: the persisted state resumes the session on its next activation.
        }
        catch (Exception) when (SiloIsStopping())
        {
            return; // This silo is going away (its calls fail for that reason alone): the session resumes elsewhere.
        }
        catch (Exception ex) when (ex is ModelBusyException or ModelUnavailableException || IsClusterTransient(ex))
        {
            // Transient: a full queue, or no worker reachable right now (e.g. a silo just died). Back off, up to a limit.
            _transientSince ??= clock.UtcNow;
            var limit = ex is ModelBusyException ? _options.BusyTimeoutSeconds : _options.UnavailableTimeoutSeconds;
            if (clock.UtcNow - _transientSince > TimeSpan.FromSeconds(limit))
            {
                var why = ex is ModelBusyException ? "stayed busy" : "stayed unreachable";
                await FailUnderLock($"The model {why} for {limit:0.#} s: {ex.Message}");
                return;
            }
            _retryAt = clock.UtcNow + _backoff;
            _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBusyBackoff.Ticks));
            return;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Denoising step of session {Key} failed", this.GetPrimaryKeyString());
            await FailUnderLock(ex.Message);
            return;
        }

        await _documentLock.WaitAsync(cancellationToken);
        try
        {
            // The document changed while the step ran (edit, cancel): its positions mean nothing now.
            if (generation != _generation || _status != SessionStatus.Denoising) return;
            int committed;
            try
            {
                committed = _canvas.Apply(window, reply.Commits);
            }
            catch (InvalidOperationException ex)
            {
                logger.LogError(ex, "Model broke the step contract for session {Key}", this.GetPrimaryKeyString());
                await StopDenoising(SessionStatus.Failed, ex.Message);
                return;
            }
            _tokensSinceSlot += committed;
            _usage.Committed(committed);
            _canvas.FinalizeCompletedRegions();
            _version++;
            _generation++;
            if (_canvas.Masked == 0) _status = SessionStatus.Idle;
            Publish(SessionUpdateKind.Step);
            _stepsSinceWrite++;
            if (_status == SessionStatus.Idle)
            {
                StopLoop();
                await PersistSettled();
                await Settled();
                await RecordInIndex();
            }
            else if (CheckpointDue())
            {
                // Progress is recomputable, so a failed checkpoint only costs work after a crash; keep denoising.
                await Persist(Capture(_canvas, _version, _status), bestEffort: true);
                await ReportUsage();
            }
        }
        finally
        {
            _documentLock.Release();
        }
    }

    /// <summary>Failures of the cluster rather than of the model: a silo that died or is not yet known to be dead.</summary>
    private static bool IsClusterTransient(Exception ex) =>
        ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException;

    /// <summary>
    /// True while this silo shuts down (gracefully or not). Its outgoing calls then fail, and a session must not record
    /// that as a failure of its own: it stays "denoising" in storage and resumes on another silo.
    /// </summary>
    private bool SiloIsStopping()
    {
        try
        {
            return ServiceProvider.GetService<ISiloStatusOracle>()?.CurrentStatus.IsTerminating() ?? false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    private async Task FailUnderLock(string error)
    {
        await _documentLock.WaitAsync();
        try
        {
            if (_status == SessionStatus.Denoising) await StopDenoising(SessionStatus.Failed, error);
        }
        finally
        {
            _documentLock.Release();
        }
    }

    /// <summary>Cancel or fail: drop the masks, keep what was committed, record and announce it. Caller holds the lock.</summary>
    private async Task StopDenoising(SessionStatus status, string? error)
    {
        var stopped = _canvas!.WithoutMasks();
        var version = _version + 1;
        var written = await Persist(Capture(stopped, version, status, error), bestEffort: status == SessionStatus.Failed);
        _settledUnsaved = !written;
        _canvas = stopped;
        _version = version;
        _status = status;
        _error = error;
        _generation++;
        StopLoop();
        Publish(SessionUpdateKind.Status);
        await Settled();
        await RecordInIndex();
    }

    /// <summary>After the session stops denoising: give back the tenant slot, shrink, and let transient sessions go.</summary>
    private async Task Settled()
    {
        var released = await ReleaseSlot();
        await ReportUsage();
        _canvas?.ReleaseTokenCaches();
        if (_transient)
        {
            try
            {
                await state.ClearStateAsync();
                _settledUnsaved = false; // nothing of a transient session is meant to stay
            }
            catch (Exception ex) { logger.LogWarning(ex, "Clearing transient session {Key} failed", this.GetPrimaryKeyString()); }
        }
        // Only once the settled state is stored (until then a crash must still bring the session back) and the slot is back.
        if (!_settledUnsaved && released) await DropResumeReminder();
        if (_transient)
        {
            this.RegisterGrainTimer(() =>
            {
                if (_status != SessionStatus.Denoising) DeactivateOnIdle();
                return Task.CompletedTask;
            }, new GrainTimerCreationOptions(TimeSpan.FromSeconds(_options.TransientLingerSeconds), Timeout.InfiniteTimeSpan) { Interleave = true });
        }
    }

    private SessionState Capture(DocumentCanvas canvas, long version, SessionStatus status, string? error = null)
    {
        var (fixedTexts, budgets, regionTokens) = canvas.ToPersisted();
        return new SessionState
        {
            Exists = true,
            Version = version,
            Status = status,
            Fixed = fixedTexts,
            Budgets = budgets,
            Priority = _priority,
            Transient = _transient,
            Error = error,
            RegionTokens = regionTokens.Count > 0 ? regionTokens : null,
            TokenSpace = regionTokens.Count > 0 ? TokenSpace : null,
            Suspended = _suspended,
        };
    }

    /// <summary>Ids checkpointed under another model/tokenizer would decode to garbage: resume those regions from all masks.</summary>
    private string TokenSpace => $"{runtimes.ModelName}/vocab={runtimes.Tokenizer.VocabularySize}";

    private DocumentCanvas RestoreCanvas(SessionState saved)
    {
        var checkpoint = saved.RegionTokens is not null && saved.TokenSpace == TokenSpace ? saved.RegionTokens : null;
        if (saved.RegionTokens is not null && checkpoint is null)
            logger.LogWarning("Session {Key}: checkpoint was written for '{Saved}', this silo serves '{Current}'; its regions restart from all masks",
                this.GetPrimaryKeyString(), saved.TokenSpace, TokenSpace);
        if (checkpoint is not null)
        {
            try
            {
                return DocumentCanvas.Restore(saved.Fixed, saved.Budgets, checkpoint, runtimes.Tokenizer, runtimes.Specials, _options);
            }
            catch (InvalidOperationException ex)
            {
                logger.LogWarning(ex, "Session {Key}: unusable denoising checkpoint; its regions restart from all masks", this.GetPrimaryKeyString());
            }
        }
        return DocumentCanvas.Restore(saved.Fixed, saved.Budgets, null, runtimes.Tokenizer, runtimes.Specials, _options);
    }

    private bool CheckpointDue() =>
        (_options.CheckpointEverySteps > 0 && _stepsSinceWrite >= _options.CheckpointEverySteps)
        || (_options.CheckpointIntervalSeconds > 0 && clock.UtcNow - _lastWrite >= TimeSpan.FromSeconds(_options.CheckpointIntervalSeconds));

    /// <summary>The settled (idle/cancelled/failed) state; best effort — on failure the reminder stays and retries it.</summary>
    private async Task<bool> PersistSettled()
    {
        var written = await Persist(Capture(_canvas!, _version, _status, _error), bestEffort: true);
        _settledUnsaved = !written;
        return written;
    }

    /// <summary>Registers the resume reminder before "denoising" is first persisted (a failure fails the request: nothing is acknowledged).</summary>
    private async Task EnsureResumeReminder()
    {
        if (_reminder is not null || Reminders is not { } registry) return;
        _mayHoldReminder = true;
        try
        {
            _reminder = await registry.RegisterOrUpdateReminder(this.GetGrainId(), ResumeReminder, ResumePeriod, ResumePeriod);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Registering the resume reminder of session {Key} failed", this.GetPrimaryKeyString());
            throw new StorageUnavailableException($"Session '{_session}' could not register its resume reminder (the reminder store did not answer); nothing was changed. Retry later.");
        }
    }

    /// <summary>Best effort: a reminder that could not be dropped fires later and drops itself then.</summary>
    private async Task DropResumeReminder()
    {
        if (!_mayHoldReminder || Reminders is not { } registry) return;
        try
        {
            var reminder = _reminder ?? await registry.GetReminder(this.GetGrainId(), ResumeReminder);
            if (reminder is not null) await registry.UnregisterReminder(this.GetGrainId(), reminder);
            _reminder = null;
            _mayHoldReminder = false;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Dropping the resume reminder of session {Key} failed; it will drop itself when it fires", this.GetPrimaryKeyString());
        }
    }

    /// <summary>Null where the silo runs without a reminder service (some tests): sessions then resume only on their next call.</summary>
    private IReminderRegistry? Reminders => ServiceProvider.GetService<IReminderRegistry>();

    private TimeSpan ResumePeriod
    {
        get
        {
            var configured = TimeSpan.FromSeconds(_options.ResumeReminderSeconds);
            var minimum = ServiceProvider.GetService<IOptions<ReminderOptions>>()?.Value.MinimumReminderPeriod ?? TimeSpan.Zero;
            return configured > minimum ? configured : minimum;
        }
    }

    /// <summary>Writes state. Acknowledged changes (create, edit, cancel) must be durable first; settling is best effort.</summary>
    private async Task<bool> Persist(SessionState next, bool bestEffort = false)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
            _settledUnsaved = false; // every write stores the current state, superseding an unsaved one
            _stepsSinceWrite = 0;
            _lastWrite = clock.UtcNow;
            return true;
        }
        catch (Exception ex) when (bestEffort)
        {
            // The next checkpoint waits a full interval again: no write attempt per step while storage is down.
            _stepsSinceWrite = 0;
            _lastWrite = clock.UtcNow;
            logger.LogWarning(ex, "Persisting session {Key} at version {Version} failed; it stays in memory", this.GetPrimaryKeyString(), next.Version);
            return false;
        }
        catch (InconsistentStateException)
        {
            // Another activation wrote this session (its ETag moved): retrying here cannot succeed. Start over from storage.
            state.State = previous;
            DeactivateOnIdle();
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            state.State = previous;
            // The caller's change is not applied; the client gets 503 and may retry. The cause (e.g. PostgreSQL down)
            // stays in the log.
            logger.LogWarning(ex, "Persisting session {Key} at version {Version} failed", this.GetPrimaryKeyString(), next.Version);
            throw new StorageUnavailableException($"Session '{_session}' could not be saved (session storage did not answer); nothing was changed. Retry later.");
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }

    private SessionSnapshot Publish(SessionUpdateKind kind)
    {
        var update = new SessionUpdate(kind, Render());
        foreach (var watcher in _watchers)
            watcher.Writer.TryWrite(update);
        return update.Snapshot;
    }

    private SessionSnapshot Render()
    {
        var rendered = _canvas!.Render();
        _snapshot = new SessionSnapshot(_session, _version, _status, rendered.Text, _canvas.Masked, rendered.Regions, _error);
        return _snapshot;
    }

    private async Task<bool> AcquireSlotIf(bool needed)
    {
        if (!needed || _holdsSlot) return false;
        await AcquireSlot();
        return true;
    }

    private async Task AcquireSlot()
    {
        await GrainFactory.GetGrain<ITenantGrain>(_tenant).AcquireSessionSlot(_session);
        _holdsSlot = true;
        _tokensSinceSlot = 0;
        await RefreshWeight();
    }

    /// <summary>The tenant's weight for fair batching, once per slot (so a changed weight applies from the next slot).</summary>
    private async Task RefreshWeight()
    {
        try
        {
            _weight = Math.Max(1, (await GrainFactory.GetGrain<ITenantGrain>(_tenant).GetQuotas()).Weight);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Reading the weight of tenant {Tenant} failed; session {Key} keeps weight {Weight}", _tenant, this.GetPrimaryKeyString(), _weight);
        }
    }

    /// <summary>
    /// Sends the usage counted since the last report to the tenant's usage grain, and charges the generated tokens to its
    /// rate limiter. Best effort: an undelivered report goes with the next one; a failed charge is only logged.
    /// </summary>
    private async Task ReportUsage()
    {
        if (_usage.Take() is not { } delta) return;
        try
        {
            await GrainFactory.GetGrain<ITenantUsageGrain>(TenantGrainKeys.Usage(_tenant)).Record(delta);
        }
        catch (Exception ex)
        {
            _usage.Return(delta);
            logger.LogWarning(ex, "Reporting the usage of session {Key} failed; it goes with the next report", this.GetPrimaryKeyString());
            return;
        }
        if (delta.GeneratedTokens == 0) return;
        try
        {
            await GrainFactory.GetGrain<ITenantLimiterGrain>(TenantGrainKeys.Limiter(_tenant)).ChargeTokens(delta.GeneratedTokens);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Charging {Tokens} generated tokens of session {Key} to its tenant's rate limit failed", delta.GeneratedTokens, this.GetPrimaryKeyString());
        }
    }

    /// <summary>
    /// Gives the tenant slot back. False when the tenant grain could not be reached (e.g. its silo just died): the slot
    /// would stay taken for good, so the release is left pending and the resume reminder retries it.
    /// </summary>
    private async Task<bool> ReleaseSlot()
    {
        if (!_holdsSlot && !_slotReleasePending) return true;
        _holdsSlot = false;
        try
        {
            await GrainFactory.GetGrain<ITenantGrain>(_tenant).ReleaseSessionSlot(_session, _tokensSinceSlot);
            _slotReleasePending = false;
            _tokensSinceSlot = 0;
            return true;
        }
        catch (Exception ex)
        {
            _slotReleasePending = true;
            logger.LogWarning(ex, "Releasing the tenant slot of session {Key} failed; the resume reminder retries it", this.GetPrimaryKeyString());
            return false;
        }
    }

    private ISessionIndexGrain Index => GrainFactory.GetGrain<ISessionIndexGrain>(TenantGrainKeys.SessionIndex(_tenant));

    /// <summary>
    /// The tenant's stored-sessions quota, counted in its session index. Concurrent creates may pass the check
    /// together, so the quota can be exceeded by the number of creates racing at that moment.
    /// </summary>
    private async Task CheckStoredSessionsQuota()
    {
        var quotas = await GrainFactory.GetGrain<ITenantGrain>(_tenant).GetQuotas();
        if (quotas.MaxStoredSessions <= 0) return;
        var stored = await Index.Count();
        if (stored >= quotas.MaxStoredSessions)
            throw new QuotaExceededException(
                $"Tenant '{_tenant}' already stores {stored} sessions (quota {quotas.MaxStoredSessions}); delete sessions with ?purge=true or ask the operator to raise the quota.");
    }

    /// <summary>
    /// Keeps the tenant's session index in step (create, edit, settle, status change — not every step). Best effort:
    /// the session's own state is the truth, and a failure here must not fail a change that is already stored.
    /// Transient (completion) sessions delete themselves and are never listed.
    /// </summary>
    private async Task RecordInIndex()
    {
        if (_transient || _snapshot is null) return;
        var now = new DateTimeOffset(clock.UtcNow, TimeSpan.Zero);
        try
        {
            await Index.Upsert(new SessionSummary(_session, _status, _version, now, now, _snapshot.Text.Length));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Recording session {Key} in its tenant's index failed", this.GetPrimaryKeyString());
        }
    }

    private static void CheckSize(int length, int maxTextChars, string what)
    {
        if (length > maxTextChars)
            throw new InvalidSessionRequestException($"The {what} has {length} characters; the limit is {maxTextChars}.");
    }

    public void Dispose() => _documentLock.Dispose();

    /// <summary>
    /// "Not found" also lets the activation go soon: requests for unknown ids (or for a session cleared since) must
    /// cost no memory that outlives them. A session being created keeps its activation.
    /// </summary>
    private SessionNotFoundException NotFound()
    {
        if (_canvas is null && !_creating) DeactivateSoon();
        return new($"No session '{_session}'.");
    }

    /// <summary>
    /// Not at once: concurrent calls for the same unknown id would each meet a deactivating activation and be
    /// forwarded until the runtime rejects them (a 500 instead of a 404). One short grace period serves them all.
    /// </summary>
    private void DeactivateSoon()
    {
        if (_leaving is not null) return;
        _leaving = this.RegisterGrainTimer(() =>
        {
            _leaving?.Dispose();
            _leaving = null;
            if (_canvas is null && !_creating) DeactivateOnIdle();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(NotFoundGrace, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = false });
    }

    private static readonly TimeSpan NotFoundGrace = TimeSpan.FromMilliseconds(500);
    private IGrainTimer? _leaving;
}
