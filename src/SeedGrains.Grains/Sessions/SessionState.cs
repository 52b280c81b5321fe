using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// What a session persists — kept small on purpose: the text outside regions (<see cref="Fixed"/>, one more entry than
/// <see cref="Budgets"/>, interleaved fixed/region/fixed…), each region's mask budget, version and status. Tokens are
/// recomputed on activation, and a region interrupted mid-denoising restarts from all masks.
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
}
