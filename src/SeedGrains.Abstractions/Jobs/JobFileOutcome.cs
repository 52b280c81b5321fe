namespace SeedGrains.Abstractions.Jobs;

/// <summary>What became of one file. Wire names: pending, succeeded, failed.</summary>
[GenerateSerializer]
public enum JobFileOutcome
{
    /// <summary>No result yet.</summary>
    Pending = 0,
    Succeeded = 1,
    Failed = 2,
}
