using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>What a tenant's session index persists: one summary per session, by session id.</summary>
[GenerateSerializer]
public sealed class SessionIndexState
{
    [Id(0)] public Dictionary<string, SessionSummary> Entries { get; set; } = new(StringComparer.Ordinal);
}
