using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// What a session persists — kept small on purpose: the text outside regions (<see cref="Fixed"/>, one more entry than
/// <see cref="Budgets"/>, interleaved fixed/region/fixed…), each region's mask budget, version and status, and — as a
/// denoising checkpoint — the token ids committed so far in each region (<see cref="RegionTokens"/>) with its steps, and
/// each region's decoding (<see cref="RegionDecodings"/>, so a failover decodes it the same way). Fixed text is
/// re-tokenized on activation; a region resumes from its checkpointed tokens when they were written for the same
/// token space (<see cref="TokenSpace"/>), else from all masks.
/// </summary>
[GenerateSerializer]
public sealed class SessionState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public long Version { get; set; }
    [Id(2)] public SessionStatus Status { get; set; }
    [Id(3)] public List<string> Fixed { get; set; } = [];
    [Id(4)] public List<int> Budgets { get; set; } = [];
    [Id(5)] public SessionPriority Priority { get; set; }
    [Id(6)] public bool Transient { get; set; }
    [Id(7)] public string? Error { get; set; }

    /// <summary>Per region (same order as <see cref="Budgets"/>), its token ids with the mask id where still masked; null = all masked.</summary>
    [Id(8)] public List<int[]>? RegionTokens { get; set; }

    /// <summary>Which model/tokenizer the ids in <see cref="RegionTokens"/> belong to (ids of another model mean nothing).</summary>
    [Id(9)] public string? TokenSpace { get; set; }

    /// <summary>The tenant is suspended: no denoising step runs (also after a reactivation) until it is resumed.</summary>
    [Id(10)] public bool Suspended { get; set; }

    /// <summary>Per region (same order as <see cref="Budgets"/>), how it is decoded; null (older states) = the configured defaults.</summary>
    [Id(11)] public List<RegionDecoding?>? RegionDecodings { get; set; }

    /// <summary>Per region, the steps spent on it as of <see cref="RegionTokens"/> (its step budget and seed go on from there).</summary>
    [Id(12)] public List<int>? RegionSteps { get; set; }

    /// <summary>Tokens the model committed in this document as of this state (<see cref="SessionSnapshot.Generated"/>).</summary>
    [Id(13)] public long GeneratedTokens { get; set; }
}
