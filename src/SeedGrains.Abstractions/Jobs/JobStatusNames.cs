namespace SeedGrains.Abstractions.Jobs;

/// <summary>The wire spelling of <see cref="JobStatus"/> and of a file's outcome.</summary>
public static class JobStatusNames
{
    public static string ToWire(this JobStatus status) => status switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Paused => "paused",
        JobStatus.Succeeded => "succeeded",
        JobStatus.Failed => "failed",
        _ => "cancelled",
    };

    public static bool TryParse(string text, out JobStatus status)
    {
        foreach (var candidate in Enum.GetValues<JobStatus>())
        {
            if (candidate.ToWire() != text) continue;
            status = candidate;
            return true;
        }
        status = default;
        return false;
    }

    /// <summary>Nothing more happens to a job in one of these.</summary>
    public static bool IsFinished(this JobStatus status) => status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>Counts against the tenant's active jobs (paused jobs still hold their files and can resume).</summary>
    public static bool IsActive(this JobStatus status) => !status.IsFinished();
}
