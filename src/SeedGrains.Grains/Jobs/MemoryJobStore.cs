using SeedGrains.Abstractions.Jobs;

namespace SeedGrains.Grains.Jobs;

/// <summary>
/// <see cref="IJobStore"/> in this process's memory, for embedded defaults (one silo) and tests: jobs are gone when the
/// process ends, like the rest of the in-memory state. One lock: the operations are small.
/// </summary>
public sealed class MemoryJobStore : IJobStore
{
    private readonly Lock _sync = new();
    private readonly Dictionary<(string Tenant, string Job), (JobRecord Record, JobFileRecord[] Files, long Order)> _jobs = [];
    private long _order;

    public Task Create(JobRecord job, IReadOnlyList<JobFile> files, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            if (_jobs.ContainsKey((job.Tenant, job.Id))) throw new InvalidOperationException($"Job {job.Tenant}/{job.Id} exists.");
            _jobs[(job.Tenant, job.Id)] = (job, files.Select((f, i) => new JobFileRecord(i, f, null)).ToArray(), ++_order);
        }
        return Task.CompletedTask;
    }

    public Task<JobRecord?> Get(string tenant, string jobId, CancellationToken cancellationToken = default)
    {
        lock (_sync) return Task.FromResult(_jobs.TryGetValue((tenant, jobId), out var job) ? job.Record : null);
    }

    public Task Update(JobRecord job, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            var stored = _jobs[(job.Tenant, job.Id)];
            _jobs[(job.Tenant, job.Id)] = stored with { Record = job };
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<JobRecord>> List(string tenant, int limit, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            IReadOnlyList<JobRecord> jobs = _jobs.Where(j => j.Key.Tenant == tenant).OrderByDescending(j => j.Value.Order).Take(limit)
                .Select(j => j.Value.Record).ToList();
            return Task.FromResult(jobs);
        }
    }

    public Task<int> CountActive(string tenant, CancellationToken cancellationToken = default)
    {
        lock (_sync) return Task.FromResult(_jobs.Count(j => j.Key.Tenant == tenant && j.Value.Record.Status.IsActive()));
    }

    public Task<IReadOnlyList<int>> Pending(string tenant, string jobId, int afterIndex, int limit, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            IReadOnlyList<int> pending = Stored(tenant, jobId).Files.Where(f => f.Index > afterIndex && f.Result is null).Take(limit).Select(f => f.Index).ToList();
            return Task.FromResult(pending);
        }
    }

    public Task<JobFileRecord?> GetFile(string tenant, string jobId, int index, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            var files = Stored(tenant, jobId).Files;
            return Task.FromResult(index >= 0 && index < files.Length ? files[index] : null);
        }
    }

    public Task<IReadOnlyList<JobFileRecord>> Files(string tenant, string jobId, int fromIndex, int limit, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            IReadOnlyList<JobFileRecord> files = Stored(tenant, jobId).Files.Skip(Math.Max(0, fromIndex)).Take(limit).ToList();
            return Task.FromResult(files);
        }
    }

    public Task<bool> RecordResult(string tenant, string jobId, JobFileResult result, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            var files = Stored(tenant, jobId).Files;
            if (files[result.Index].Result is not null) return Task.FromResult(false);
            files[result.Index] = files[result.Index] with { Result = result };
            return Task.FromResult(true);
        }
    }

    public Task<JobCounts> Count(string tenant, string jobId, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            var results = Stored(tenant, jobId).Files.Select(f => f.Result).OfType<JobFileResult>().ToList();
            return Task.FromResult(new JobCounts(results.Count(r => r.Outcome == JobFileOutcome.Succeeded),
                results.Count(r => r.Outcome == JobFileOutcome.Failed), results.Sum(r => r.Tokens)));
        }
    }

    private (JobRecord Record, JobFileRecord[] Files, long Order) Stored(string tenant, string jobId) =>
        _jobs.TryGetValue((tenant, jobId), out var job) ? job : throw new KeyNotFoundException($"No job {tenant}/{jobId}.");
}
