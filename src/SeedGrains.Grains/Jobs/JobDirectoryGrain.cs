using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Jobs;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Jobs;

/// <summary>
/// A tenant's jobs (key: tenant id). Not reentrant: submissions are checked against the tenant's quotas one at a time,
/// so two jobs submitted at once cannot both take the last active-job slot. Holds no state of its own: the store has
/// the jobs.
/// </summary>
public sealed class JobDirectoryGrain(IJobStore store, SeedGrainsClock clock) : Grain, IJobDirectoryGrain
{
    private string Tenant => this.GetPrimaryKeyString();

    public async Task<JobProgress> Submit(CreateJobRequest request)
    {
        var quotas = await GrainFactory.GetGrain<ITenantGrain>(Tenant).GetQuotas();
        if (request.Files.Count > quotas.MaxFilesPerJob)
            throw new JobLimitException($"The selection matched {request.Files.Count} files; a job may have at most {quotas.MaxFilesPerJob}. Split it into several jobs.");
        var active = await store.CountActive(Tenant);
        if (active >= quotas.MaxActiveJobs)
            throw new QuotaExceededException($"The tenant has {active} active jobs (queued, running or paused), its limit; wait for one to finish or cancel one.");
        var id = "j_" + Guid.NewGuid().ToString("N");
        return await GrainFactory.GetGrain<IJobGrain>(JobKey.Of(Tenant, id)).Create(request);
    }

    public async Task<IReadOnlyList<JobProgress>> List(int limit)
    {
        var jobs = await store.List(Tenant, Math.Clamp(limit, 1, 500));
        // Finished jobs answer from the store; active ones from their grain, which knows what is in flight.
        var now = clock.Time.GetUtcNow();
        return await Task.WhenAll(jobs.Select(async job => job.Status.IsFinished()
            ? JobProgressView.From(job, await store.Count(Tenant, job.Id), 0, now)
            : await GrainFactory.GetGrain<IJobGrain>(JobKey.Of(Tenant, job.Id)).Get()));
    }
}
