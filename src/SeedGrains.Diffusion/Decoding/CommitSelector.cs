namespace SeedGrains.Diffusion.Decoding;

/// <summary>A masked position's best candidate this step: the sampled token, its probability and the entropy of the distribution.</summary>
public readonly record struct Candidate(int Position, int Token, float Confidence, float Entropy);

/// <summary>
/// Chooses which masked positions a step commits (pure: no tensors, so the invariants are easy to test).
/// Every rule commits at least one position and never more than there are candidates.
/// </summary>
public static class CommitSelector
{
    /// <param name="candidates">One per masked position (all of them).</param>
    /// <param name="stepsLeft">Steps the caller still allows, this one included (top-k spreads the masks over them).</param>
    public static IReadOnlyList<Candidate> Select(IReadOnlyList<Candidate> candidates, CommitPolicy policy, int stepsLeft)
    {
        if (candidates.Count == 0) return [];
        // Most certain first (highest probability, or lowest entropy for the entropy rule); ties by position, so
        // the choice is deterministic.
        var ordered = policy.Rule == CommitRule.EntropyBounded
            ? candidates.OrderBy(c => c.Entropy).ThenBy(c => c.Position).ToList()
            : candidates.OrderByDescending(c => c.Confidence).ThenBy(c => c.Position).ToList();
        int take = policy.Rule switch
        {
            CommitRule.Confidence => Math.Max(1, ordered.Count(c => c.Confidence >= policy.Threshold)),
            CommitRule.TopK => (int)Math.Ceiling(candidates.Count / (double)Math.Max(1, stepsLeft)),
            CommitRule.EntropyBounded => EntropyPrefix(ordered, policy.EntropyBound),
            _ => throw new ArgumentOutOfRangeException(nameof(policy), policy.Rule, "unknown commit rule"),
        };
        // Whatever the rule, a caller that has run out of steps gets everything.
        if (stepsLeft <= 1) take = ordered.Count;
        return ordered.GetRange(0, Math.Clamp(take, 1, ordered.Count));
    }

    /// <summary>The longest lowest-entropy prefix whose entropies sum to ≤ bound (at least one).</summary>
    static int EntropyPrefix(List<Candidate> ordered, float bound)
    {
        float sum = 0;
        int n = 0;
        foreach (var c in ordered)
        {
            if (n > 0 && sum + c.Entropy > bound) break;
            sum += c.Entropy;
            n++;
        }
        return n;
    }
}
