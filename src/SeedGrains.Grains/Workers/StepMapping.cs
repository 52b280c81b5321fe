using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;

namespace SeedGrains.Grains.Workers;

/// <summary>Between the wire records of the grain interfaces and the decoder's contract types.</summary>
internal static class StepMapping
{
    public static CommitPolicy ToCommitPolicy(this StepPolicy policy) => new(
        policy.Rule switch
        {
            StepCommitRule.TopK => CommitRule.TopK,
            StepCommitRule.EntropyBounded => CommitRule.EntropyBounded,
            _ => CommitRule.Confidence,
        },
        policy.Threshold, policy.EntropyBound, policy.Temperature, policy.TopP);

    /// <summary>The session names the row, so a caching stepper can keep its context between steps.</summary>
    public static DenoiseStepRequest ToRequest(this StepCall call) =>
        new(call.Tokens, call.Policy.ToCommitPolicy(), call.Seed, Math.Max(1, call.StepsLeft), CacheKey: call.SessionKey());

    /// <summary>The calling session's grain key (`tenant/session`, as <see cref="Abstractions.Sessions.SessionKey"/> builds it),
    /// without its validation: this runs on the compute thread, where a throw would fail a whole batch.</summary>
    public static string SessionKey(this StepCall call) => $"{call.Tenant}/{call.Session}";

    public static StepCommit[] ToCommits(this DenoiseStepResult result) =>
        result.Commits.Select(c => new StepCommit(c.Position, c.Token, c.Confidence)).ToArray();
}
