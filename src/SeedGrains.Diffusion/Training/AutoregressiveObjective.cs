namespace SeedGrains.Diffusion.Training;

/// <summary>
/// Next-token rows for the AR baseline, with the fill-in-the-middle transform (prefix-suffix-middle with
/// sentinels) on half of them, so the same network can infill: <c>&lt;fim_prefix&gt; P &lt;fim_suffix&gt; S
/// &lt;fim_middle&gt; M &lt;end&gt;</c>. The middle is chosen by the same <see cref="SpanSampler"/> as the diffusion
/// model's regions.
/// </summary>
public sealed class AutoregressiveObjective(TrainingVocabulary vocab, int sequenceLength)
{
    const double FimRate = 0.5;

    /// <summary>Tokens a row consumes from the corpus: one more than the sequence, for the shifted targets.</summary>
    public int ChunkLength => sequenceLength + 1;

    public TrainingRow Build(ReadOnlySpan<int> chunk, Random rng)
    {
        if (chunk.Length != ChunkLength) throw new ArgumentException($"chunk must have {ChunkLength} tokens");
        int[] sequence = rng.NextDouble() < FimRate ? FillInTheMiddle(chunk[..(ChunkLength - 4)], rng) : chunk.ToArray();
        var input = sequence[..sequenceLength];
        var target = sequence[1..];
        var weight = new float[sequenceLength];
        Array.Fill(weight, 1f / sequenceLength);
        return new TrainingRow(input, target, weight);
    }

    /// <summary>The PSM arrangement of a document window; 4 tokens longer than <paramref name="window"/>.</summary>
    public int[] FillInTheMiddle(ReadOnlySpan<int> window, Random rng)
    {
        var (start, length) = SpanSampler.Sample(window, 1, window.Length - 1, vocab, rng);
        return Arrange(window[..start], window[(start + length)..], window.Slice(start, length), withMiddle: true);
    }

    /// <summary>
    /// <c>&lt;fim_prefix&gt; P &lt;fim_suffix&gt; S &lt;fim_middle&gt;</c> (+ <c>M &lt;end&gt;</c> when <paramref name="withMiddle"/>):
    /// the prompt the AR decoder gets at inference, and its training form.
    /// </summary>
    public int[] Arrange(ReadOnlySpan<int> prefix, ReadOnlySpan<int> suffix, ReadOnlySpan<int> middle, bool withMiddle)
    {
        var result = new List<int>(prefix.Length + suffix.Length + middle.Length + 4) { vocab.FimPrefix };
        foreach (var t in prefix) result.Add(t);
        result.Add(vocab.FimSuffix);
        foreach (var t in suffix) result.Add(t);
        result.Add(vocab.FimMiddle);
        if (withMiddle)
        {
            foreach (var t in middle) result.Add(t);
            result.Add(vocab.End);
        }
        return result.ToArray();
    }
}
