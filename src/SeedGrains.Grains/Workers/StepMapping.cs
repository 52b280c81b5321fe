using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;

namespace SeedGrains.Grains.Workers;

/// <summary>Between the wire records of the grain interfaces and the decoder's contract types.</summary>
public static class StepMapping
{
    /// <summary>The decoder's policy for a wire policy: what the model worker steps with.</summary>
    public static CommitPolicy ToCommitPolicy(this StepPolicy policy) => new(
        policy.Rule switch
        {
            StepCommitRule.TopK => CommitRule.TopK,
            StepCommitRule.EntropyBounded => CommitRule.EntropyBounded,
            _ => CommitRule.Confidence,
        },
        policy.Threshold, policy.EntropyBound, policy.Temperature, policy.TopP);

    /// <summary>The wire rule for a decoder rule (the inverse of the mapping in <see cref="ToCommitPolicy"/>).</summary>
    public static StepCommitRule ToWire(this CommitRule rule) => rule switch
    {
        CommitRule.TopK => StepCommitRule.TopK,
        CommitRule.EntropyBounded => StepCommitRule.EntropyBounded,
        _ => StepCommitRule.Confidence,
    };

    /// <summary>The session names the row, so a caching stepper can keep its context between steps.</summary>
    internal static DenoiseStepRequest ToRequest(this StepCall call) =>
        new(call.Tokens, call.Policy.ToCommitPolicy(), call.Seed, Math.Max(1, call.StepsLeft), CacheKey: call.SessionKey(),
            CommitFrom: call.CommitFrom, CommitTo: call.CommitTo);

    /// <summary>The calling session's grain key (`tenant/session`, as <see cref="Abstractions.Sessions.SessionKey"/> builds it),
    /// without its validation: this runs on the compute thread, where a throw would fail a whole batch.</summary>
    internal static string SessionKey(this StepCall call) => $"{call.Tenant}/{call.Session}";

    internal static StepCommit[] ToCommits(this DenoiseStepResult result) =>
        result.Commits.Select(c => new StepCommit(c.Position, c.Token, c.Confidence)).ToArray();
}
