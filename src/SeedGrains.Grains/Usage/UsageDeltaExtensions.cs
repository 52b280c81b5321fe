using SeedGrains.Abstractions.Usage;

namespace SeedGrains.Grains.Usage;

/// <summary>Helpers for <see cref="UsageDelta"/> reports.</summary>
public static class UsageDeltaExtensions
{
    /// <summary>True when the report carries nothing (not worth a grain call).</summary>
    public static bool IsEmpty(this UsageDelta delta) =>
        delta is { SessionsCreated: 0, Completions: 0, Steps: 0, GeneratedTokens: 0, PromptTokens: 0 }
        && (delta.RejectedByReason is null || delta.RejectedByReason.Values.All(v => v == 0));

    /// <summary>One rejected request for <paramref name="reason"/> (e.g. "rate_limit", "quota").</summary>
    public static UsageDelta Rejected(string reason) =>
        new(RejectedByReason: new Dictionary<string, long>(StringComparer.Ordinal) { [reason] = 1 });
}
