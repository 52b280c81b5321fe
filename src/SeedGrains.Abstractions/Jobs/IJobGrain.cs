namespace SeedGrains.Abstractions.Jobs;

/// <summary>
/// One refactor job (key `tenant/job`): generates its files through bulk-priority sessions, at most its concurrency at
/// once, and records each file's result in the <see cref="IJobStore"/> as it lands. It keeps going with nobody
/// connected, and a reminder brings it back on another silo after its own died. Errors:
/// <see cref="Errors.JobNotFoundException"/>, <see cref="Errors.JobStateException"/> (e.g. resuming a cancelled job).
/// </summary>
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>Stores the job and starts it. Called by the tenant's <see cref="IJobDirectoryGrain"/>, which checks the quotas.</summary>
    Task<JobProgress> Create(CreateJobRequest request);

    Task<JobProgress> Get();

    /// <summary>No new file starts; files under way finish. Idempotent on a paused job.</summary>
    Task<JobProgress> Pause();

    /// <summary>Starts files again. Idempotent on a running job.</summary>
    Task<JobProgress> Resume();

    /// <summary>Stops the job: files under way are cancelled and get no result. Idempotent on a cancelled job.</summary>
    Task<JobProgress> Cancel();

    /// <summary>Files from <paramref name="fromIndex"/> on with their results, at most <paramref name="limit"/> (for the patch).</summary>
    Task<IReadOnlyList<JobFileRecord>> Files(int fromIndex, int limit);

    /// <summary>One file with its result; throws <see cref="Errors.JobNotFoundException"/> for an index the job does not have.</summary>
    Task<JobFileRecord> File(int index);
}
