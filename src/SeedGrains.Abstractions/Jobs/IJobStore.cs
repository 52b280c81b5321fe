namespace SeedGrains.Abstractions.Jobs;

/// <summary>
/// Where jobs live: the job's own record, and each file with its result, so that a job grain holds neither texts nor
/// results whatever the job's size. Memory on embedded defaults, PostgreSQL in production. Results are written once:
/// a second result for a file is refused, which is what makes "every file exactly once" hold across a failover.
/// </summary>
public interface IJobStore
{
    /// <summary>Stores a new job and its files (indexes 0..n-1) in one go; nothing is stored when it fails.</summary>
    Task Create(JobRecord job, IReadOnlyList<JobFile> files, CancellationToken cancellationToken = default);

    /// <summary>The job's record, or null when there is none.</summary>
    Task<JobRecord?> Get(string tenant, string jobId, CancellationToken cancellationToken = default);

    /// <summary>Writes the record's status, times and error (its files are untouched).</summary>
    Task Update(JobRecord job, CancellationToken cancellationToken = default);

    /// <summary>The tenant's jobs, newest first.</summary>
    Task<IReadOnlyList<JobRecord>> List(string tenant, int limit, CancellationToken cancellationToken = default);

    /// <summary>How many of the tenant's jobs are not finished (queued, running, paused).</summary>
    Task<int> CountActive(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Files without a result whose index is above <paramref name="afterIndex"/>, in index order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<int>> Pending(string tenant, string jobId, int afterIndex, int limit, CancellationToken cancellationToken = default);

    /// <summary>File <paramref name="index"/> with its result, or null when the job has no such file.</summary>
    Task<JobFileRecord?> GetFile(string tenant, string jobId, int index, CancellationToken cancellationToken = default);

    /// <summary>Files from <paramref name="fromIndex"/> on, in index order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<JobFileRecord>> Files(string tenant, string jobId, int fromIndex, int limit, CancellationToken cancellationToken = default);

    /// <summary>Records a file's result; false (and nothing written) when the file already has one.</summary>
    Task<bool> RecordResult(string tenant, string jobId, JobFileResult result, CancellationToken cancellationToken = default);

    /// <summary>Results so far.</summary>
    Task<JobCounts> Count(string tenant, string jobId, CancellationToken cancellationToken = default);
}
