namespace SeedGrains.Grains.Jobs;

/// <summary>Configuration section <c>Jobs</c>: how a job grain paces itself.</summary>
public sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>How often a running job retries files put back (quota refusals, lost calls) and checks it is complete.</summary>
    public double TickSeconds { get; set; } = 2;

    /// <summary>Period of the reminder that brings a running job back after its silo died (at least Orleans' minimum).</summary>
    public double ReminderSeconds { get; set; } = 60;

    /// <summary>Tries of one file whose calls keep failing before it is recorded as failed.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The most files a job may generate at once, whatever it asks for.</summary>
    public int MaxConcurrency { get; set; } = 64;
}
