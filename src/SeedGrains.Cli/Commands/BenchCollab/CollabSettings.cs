namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>One run's workload: who types how much, at what pace, into which document, with how big a model region.</summary>
/// <param name="Seconds">Typing stops after this long even if edits remain (0: no limit).</param>
internal sealed record CollabSettings(int Clients, int EditsPerClient, TimeSpan Interval, double Seconds, string Text, int RegionTokens, int Seed)
{
    /// <summary>How long a drain step may take before the run is called stuck.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(5);
}
