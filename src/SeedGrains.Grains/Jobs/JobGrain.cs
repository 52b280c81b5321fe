using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Jobs;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Jobs;

/// <summary>
/// One refactor job (key `tenant/job`). Its record, files and results live in the <see cref="IJobStore"/>; the grain
/// holds the record, the counts and the files in flight (<see cref="JobPump"/>), so its memory does not grow with the
/// job. Each file runs as a task on the grain's scheduler (<see cref="JobFileRun"/>), interleaving with calls at its
/// awaits; its result is written to the store the moment it lands. A timer (keep-alive) retries put-back files while the
/// job is active; a reminder reactivates a running job after its silo died, and the new activation carries on from the
/// store: files with a result are never generated again, files in flight are watched through their sessions.
/// </summary>
public sealed class JobGrain(IJobStore store, SeedGrainsClock clock, IOptions<JobOptions> options, ILogger<JobGrain> logger)
    : Grain, IJobGrain, IRemindable, IDisposable
{
    public const string KeepRunningReminder = "keep-job-running";

    private readonly JobOptions _options = options.Value;
    private readonly Dictionary<int, int> _attempts = [];
    private string _tenant = "";
    private string _job = "";
    private JobRecord? _record;
    private JobCounts _counts = JobCounts.None;
    private JobPump? _pump;
    private IGrainTimer? _timer;
    // Cancelled with the job: runs stop watching, and a file not yet started creates no session.
    private readonly CancellationTokenSource _cancelled = new();

    private TimeProvider Time => clock.Time;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _job) = JobKey.Parse(this.GetPrimaryKeyString());
        _record = await store.Get(_tenant, _job, cancellationToken);
        if (_record is null) return;
        _counts = await store.Count(_tenant, _job, cancellationToken);
        if (_record.Status.IsActive()) StartPump();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => _record is { } job && job.Status.IsActive() ? Tick() : DropReminder();

    public async Task<JobProgress> Create(CreateJobRequest request)
    {
        if (_record is not null) throw new JobStateException($"Job '{_job}' exists.");
        var now = Time.GetUtcNow();
        var job = new JobRecord(_tenant, _job, JobStatus.Queued, request.FilesUploaded, request.Files.Count,
            Math.Clamp(request.Concurrency, 1, _options.MaxConcurrency), request.Decoding, request.MaxTextChars, now, Selection: request.Selection);
        await store.Create(job, request.Files);
        _record = job;
        await EnsureReminder();
        StartPump();
        return Progress();
    }

    public Task<JobProgress> Get() => Task.FromResult(Progress());

    public async Task<JobProgress> Pause()
    {
        var job = Existing();
        if (job.Status == JobStatus.Paused) return Progress();
        if (job.Status.IsFinished()) throw new JobStateException($"Job '{_job}' is {job.Status.ToWire()}; only a queued or running job can be paused.");
        await Save(JobProgressView.StopClock(job, Time.GetUtcNow()) with { Status = JobStatus.Paused });
        return Progress();
    }

    public async Task<JobProgress> Resume()
    {
        var job = Existing();
        if (job.Status is JobStatus.Running or JobStatus.Queued) return Progress();
        if (job.Status.IsFinished()) throw new JobStateException($"Job '{_job}' is {job.Status.ToWire()}; only a paused job can be resumed.");
        await Save(job with { Status = JobStatus.Running, ActiveSince = Time.GetUtcNow() });
        await EnsureReminder();
        await Fill();
        return Progress();
    }

    public async Task<JobProgress> Cancel()
    {
        var job = Existing();
        if (job.Status == JobStatus.Cancelled) return Progress();
        if (job.Status.IsFinished()) throw new JobStateException($"Job '{_job}' is {job.Status.ToWire()} already.");
        var now = Time.GetUtcNow();
        await Save(JobProgressView.StopClock(job, now) with { Status = JobStatus.Cancelled, Finished = now });
        var running = _pump?.Running.ToList() ?? [];
        _pump?.Clear();
        await _cancelled.CancelAsync();
        Stop();
        // The files under way stop too; their sessions are removed (no result is recorded for them).
        await Task.WhenAll(running.Select(Forget));
        await DropReminder();
        return Progress();
    }

    public Task<IReadOnlyList<JobFileRecord>> Files(int fromIndex, int limit)
    {
        Existing();
        return store.Files(_tenant, _job, fromIndex, Math.Clamp(limit, 1, 500));
    }

    public async Task<JobFileRecord> File(int index)
    {
        Existing();
        return await store.GetFile(_tenant, _job, index) ?? throw new JobNotFoundException($"Job '{_job}' has no file {index}.");
    }

    private void StartPump()
    {
        _pump = new JobPump(_record!.Concurrency, (after, limit) => store.Pending(_tenant, _job, after, limit), index => _ = RunFile(index));
        var period = TimeSpan.FromSeconds(_options.TickSeconds);
        // Interleave: files land while the tick awaits; KeepAlive: a job nobody calls must not be collected while active.
        _timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TimeSpan.Zero, period) { Interleave = true, KeepAlive = true });
    }

    private async Task Tick()
    {
        if (_record is not { } job || !job.Status.IsActive()) return;
        if (job.Status == JobStatus.Queued)
        {
            var now = Time.GetUtcNow();
            await Save(job with { Status = JobStatus.Running, Started = now, ActiveSince = now });
        }
        await Fill(retries: true);
    }

    /// <summary>Starts files up to the cap while running, then finishes the job once every file has a result.</summary>
    private async Task Fill(bool retries = false)
    {
        if (_pump is null || _record is not { } job) return;
        if (job.Status == JobStatus.Running) await _pump.Fill(retries);
        if (_record.Status is JobStatus.Running or JobStatus.Paused && _pump.InFlight == 0 && _pump.Waiting == 0 && _counts.Done >= _record.FilesTotal) await Finish();
    }

    private async Task RunFile(int index)
    {
        try
        {
            var file = await store.GetFile(_tenant, _job, index) ?? throw new InvalidOperationException($"File {index} of job {_tenant}/{_job} is not stored.");
            var result = await JobFileRun.Run(Session(index), index, file.File, _record!, Time, _cancelled.Token);
            if (_record!.Status == JobStatus.Cancelled)
            {
                await Forget(index);
                return;
            }
            result ??= new JobFileResult(index, JobFileOutcome.Failed, null, 0, "The file's session was cancelled.", Time.GetUtcNow());
            await Record(result);
        }
        catch (QuotaExceededException)
        {
            _pump?.PutBack(index); // the tenant's sessions are all busy: try again on a later tick
            return;
        }
        catch (Exception) when (Sessions.SiloStatus.IsStopping(ServiceProvider))
        {
            return; // the silo is going away: the file stays pending, and the job's next activation takes it up
        }
        catch (Exception ex) when (_record?.Status != JobStatus.Cancelled)
        {
            var attempts = _attempts[index] = _attempts.GetValueOrDefault(index) + 1;
            logger.LogWarning(ex, "File {Index} of job {Tenant}/{Job} failed (try {Attempt} of {Max})", index, _tenant, _job, attempts, _options.MaxAttempts);
            if (attempts < _options.MaxAttempts)
            {
                _pump?.PutBack(index);
                return;
            }
            await Record(new JobFileResult(index, JobFileOutcome.Failed, null, 0, ex.Message, Time.GetUtcNow()));
        }
        catch
        {
            await Forget(index); // cancelled meanwhile: nothing to record, and a session created meanwhile goes too
            return;
        }
        _pump?.Finished(index);
        _attempts.Remove(index);
        await Forget(index);
        await Fill();
    }

    /// <summary>Writes the result (once: after a failover it may be there already).</summary>
    private async Task Record(JobFileResult result)
    {
        if (await store.RecordResult(_tenant, _job, result))
        {
            _counts = result.Outcome == JobFileOutcome.Succeeded
                ? _counts with { Succeeded = _counts.Succeeded + 1, Tokens = _counts.Tokens + result.Tokens }
                : _counts with { Failed = _counts.Failed + 1 };
        }
    }

    /// <summary>The file's session is no longer needed once its result is stored.</summary>
    private async Task Forget(int index)
    {
        try { await Session(index).Purge(); }
        catch (Exception ex) when (ex is SessionNotFoundException or OrleansException or TimeoutException) { }
    }

    private async Task Finish()
    {
        var now = Time.GetUtcNow();
        var status = _record!.FilesTotal > 0 && _counts.Failed == _record.FilesTotal ? JobStatus.Failed : JobStatus.Succeeded;
        await Save(JobProgressView.StopClock(_record, now) with { Status = status, Finished = now, Error = status == JobStatus.Failed ? "Every file failed." : null });
        Stop();
        await DropReminder();
        logger.LogInformation("Job {Tenant}/{Job} {Status}: {Done} files ({Failed} failed), {Tokens} tokens", _tenant, _job, status.ToWire(), _counts.Done, _counts.Failed, _counts.Tokens);
    }

    private void Stop()
    {
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>Silos without a reminder service (some tests) keep jobs going only while their activation lives.</summary>
    private bool HasReminders => ServiceProvider.GetService(typeof(Orleans.Timers.IReminderRegistry)) is not null;

    private async Task EnsureReminder()
    {
        if (HasReminders) await this.RegisterOrUpdateReminder(KeepRunningReminder, ReminderPeriod, ReminderPeriod);
    }

    private async Task DropReminder()
    {
        if (HasReminders && await this.GetReminder(KeepRunningReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    private async Task Save(JobRecord job)
    {
        await store.Update(job);
        _record = job;
    }

    private JobRecord Existing() => _record ?? throw new JobNotFoundException($"No job '{_job}'.");

    private JobProgress Progress() => JobProgressView.From(Existing(), _counts, _pump?.InFlight ?? 0, Time.GetUtcNow());

    private ISessionGrain Session(int index) => GrainFactory.GetGrain<ISessionGrain>(SessionKey.Of(_tenant, JobKey.FileSession(_job, index)));

    private TimeSpan ReminderPeriod => TimeSpan.FromSeconds(_options.ReminderSeconds);

    public void Dispose() => _cancelled.Dispose();
}
