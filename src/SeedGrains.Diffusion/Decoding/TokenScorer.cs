using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Decoding;

/// <summary>
/// Turns the logits of masked positions into candidates: the token to place (argmax, or a temperature / top-p
/// sample from a seeded generator), its probability and the distribution's entropy. [MASK] is never proposed.
/// </summary>
public static class TokenScorer
{
    /// <param name="logits">[N, V] for the masked positions, in the order of <paramref name="positions"/>.</param>
    public static Candidate[] Score(Tensor logits, IReadOnlyList<int> positions, int maskTokenId, CommitPolicy policy, ulong seed)
    {
        if (logits.dim() != 2 || logits.shape[0] != positions.Count)
            throw new ArgumentException($"logits must be [{positions.Count}, V], got [{string.Join(", ", logits.shape)}]");
        if (logits.shape[1] > 1 << 24) throw new ArgumentException($"a vocabulary of {logits.shape[1]} ids is more than float32 holds exactly");
        if (positions.Count == 0) return [];
        using var scope = NewDisposeScope();
        var scores = logits.to_type(ScalarType.Float32).clone();
        using var minusInfinity = float.NegativeInfinity.ToScalar(); // explicit: see AttentionPlan
        scores.index_fill_(1, tensor(new long[] { maskTokenId }, device: scores.device), minusInfinity);
        var logProbs = nn.functional.log_softmax(scores, 1);
        var probs = logProbs.exp();
        var entropy = -(probs * logProbs.nan_to_num(0, 0, 0)).sum(1);

        Tensor tokens;
        if (policy.Temperature <= 0)
        {
            tokens = probs.argmax(1);
        }
        else
        {
            using var temperature = policy.Temperature.ToScalar();
            var sampling = nn.functional.softmax(scores.div(temperature), 1);
            if (policy.TopP < 1) sampling = TopP(sampling, policy.TopP);
            // libtorch generators made here live on the CPU, and multinomial wants one on its input's device: sample on
            // the CPU (the same draw for the same probabilities on any device).
            using var generator = new Generator(seed, CPU);
            tokens = multinomial(sampling.cpu(), 1, generator: generator).squeeze(1).to(scores.device);
        }
        var confidence = probs.gather(1, tokens.unsqueeze(1)).squeeze(1);

        // One host read for all three (on a GPU each read waits for the device); ids < 2^24 are exact in float32.
        using var packed = stack([tokens.to_type(ScalarType.Float32), confidence.to_type(ScalarType.Float32), entropy.to_type(ScalarType.Float32)]).cpu();
        var v = packed.data<float>().ToArray();
        int n = positions.Count;
        var result = new Candidate[n];
        for (int i = 0; i < n; i++) result[i] = new Candidate(positions[i], (int)v[i], v[n + i], v[2 * n + i]);
        return result;
    }

    /// <summary>Keeps the smallest set of tokens whose probability reaches p (nucleus), renormalised.</summary>
    static Tensor TopP(Tensor probs, float p)
    {
        var (sorted, indices) = probs.sort(1, descending: true);
        var cumulative = sorted.cumsum(1);
        using var threshold = p.ToScalar();
        using var zero = 0f.ToScalar();
        var drop = (cumulative - sorted).gt(threshold); // keep a token while the mass before it is < p
        var kept = sorted.masked_fill(drop, zero);
        var filtered = zeros_like(probs).scatter(1, indices, kept);
        return filtered / filtered.sum(1, keepdim: true);
    }
}
