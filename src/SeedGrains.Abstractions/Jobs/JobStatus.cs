namespace SeedGrains.Abstractions.Jobs;

/// <summary>Lifecycle of a refactor job. Wire names are the lower-case member names (<see cref="JobStatusNames"/>).</summary>
[GenerateSerializer]
public enum JobStatus
{
    /// <summary>Accepted; no file has started yet.</summary>
    Queued = 0,
    /// <summary>Files are being generated.</summary>
    Running = 1,
    /// <summary>No new file starts; files already under way finish and are recorded.</summary>
    Paused = 2,
    /// <summary>Every file has a result (some of them may have failed).</summary>
    Succeeded = 3,
    /// <summary>Every file failed.</summary>
    Failed = 4,
    /// <summary>Stopped by the client; files without a result stay without one.</summary>
    Cancelled = 5,
}
