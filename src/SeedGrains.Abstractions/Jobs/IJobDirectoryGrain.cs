namespace SeedGrains.Abstractions.Jobs;

/// <summary>
/// A tenant's jobs (key: tenant id). Submissions pass through here one at a time, so the tenant's limits on active jobs
/// and on files per job hold even when jobs are submitted at once.
/// </summary>
public interface IJobDirectoryGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts a job under a new id after checking the tenant's quotas: <see cref="Errors.QuotaExceededException"/> when
    /// the tenant already has its maximum of active jobs, <see cref="Errors.JobLimitException"/> when the job has more
    /// files than a job may have.
    /// </summary>
    Task<JobProgress> Submit(CreateJobRequest request);

    /// <summary>The tenant's jobs, newest first.</summary>
    Task<IReadOnlyList<JobProgress>> List(int limit);
}
