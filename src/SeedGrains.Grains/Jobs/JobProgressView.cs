using SeedGrains.Abstractions.Jobs;

namespace SeedGrains.Grains.Jobs;

/// <summary>A job's record and counts as <see cref="JobProgress"/>: elapsed running time, and an ETA from the rate so far.</summary>
public static class JobProgressView
{
    public static JobProgress From(JobRecord job, JobCounts counts, int inFlight, DateTimeOffset now)
    {
        var elapsed = Elapsed(job, now);
        double? eta = job.Status.IsFinished() || counts.Done == 0 ? null : elapsed / counts.Done * (job.FilesTotal - counts.Done);
        return new JobProgress(job.Id, job.Status, job.FilesUploaded, job.FilesTotal, counts.Done, counts.Failed, counts.Tokens,
            Math.Round(elapsed, 3), eta is { } e ? Math.Round(e, 1) : null, job.Concurrency, inFlight, job.Created, job.Finished, job.Error, job.Selection);
    }

    /// <summary>Seconds spent running: the clock stops while paused.</summary>
    public static double Elapsed(JobRecord job, DateTimeOffset now) =>
        job.ActiveSeconds + (job.ActiveSince is { } since ? Math.Max(0, (now - since).TotalSeconds) : 0);

    /// <summary>The record with its running clock stopped at <paramref name="now"/>.</summary>
    public static JobRecord StopClock(JobRecord job, DateTimeOffset now) =>
        job with { ActiveSeconds = Elapsed(job, now), ActiveSince = null };
}
