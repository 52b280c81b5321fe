using SeedGrains.Abstractions.Usage;

namespace SeedGrains.Grains.Usage;

/// <summary>One hour's running totals of one tenant, as stored.</summary>
[GenerateSerializer]
public sealed class UsageCounters
{
    [Id(0)] public long SessionsCreated { get; set; }
    [Id(1)] public long Completions { get; set; }
    [Id(2)] public long Steps { get; set; }
    [Id(3)] public long GeneratedTokens { get; set; }
    [Id(4)] public long PromptTokens { get; set; }
    [Id(5)] public Dictionary<string, long> RejectedByReason { get; set; } = new(StringComparer.Ordinal);

    public void Add(UsageDelta delta)
    {
        SessionsCreated += delta.SessionsCreated;
        Completions += delta.Completions;
        Steps += delta.Steps;
        GeneratedTokens += delta.GeneratedTokens;
        PromptTokens += delta.PromptTokens;
        foreach (var (reason, count) in delta.RejectedByReason ?? new Dictionary<string, long>())
            RejectedByReason[reason] = RejectedByReason.GetValueOrDefault(reason) + count;
    }

    public UsageHour ToHour(DateTimeOffset hour) => new(hour, SessionsCreated, Completions, Steps, GeneratedTokens, PromptTokens,
        new Dictionary<string, long>(RejectedByReason, StringComparer.Ordinal));
}
