namespace SeedGrains.Grains.Usage;

/// <summary>Persisted usage of one tenant: counters per hour, keyed by the hour's start (UTC ticks).</summary>
[GenerateSerializer]
public sealed class UsageState
{
    [Id(0)] public SortedDictionary<long, UsageCounters> Hours { get; set; } = [];
}
