namespace SeedGrains.Diffusion.Training;

/// <summary>
/// Masked-diffusion training rows (MDLM / LLaDA): t ~ U(ε, 1) per row, each candidate token masked with
/// probability t, cross-entropy on masked positions weighted 1/t.
/// <list type="bullet">
/// <item>Half the rows are <b>infill</b> rows: a span (<see cref="SpanSampler"/>) is followed by pad tokens up to a
/// budget, and only that region is noised — so the model learns to rewrite a region whose new length it does not
/// know, emitting pad where the text ends.</item>
/// <item>The other half are plain rows: the whole sequence is a candidate.</item>
/// <item>In the <b>edit stage</b> (Seed Diffusion's second stage, the last ~20 % of steps) up to 10 % of the
/// unmasked tokens are corrupted by substitutions and local insert/delete shifts, and every position carries
/// loss, so the model learns to re-predict and repair tokens it was shown.</item>
/// </list>
/// A <b>shifted</b> model (Dream's convention, so AR weights carry over) predicts position i from the hidden state
/// at i-1; position 0 has no predictor, so it is never masked and never carries loss.
/// </summary>
public sealed class DiffusionObjective(TrainingVocabulary vocab, int sequenceLength, bool shifted = false)
{
    public const double Epsilon = 1e-3;

    /// <summary>Tokens a row consumes from the corpus.</summary>
    public int ChunkLength => sequenceLength;

    /// <param name="t">The noise level; null draws t ~ U(ε, 1). The trainer passes stratified levels (one per row
    /// of a batch, evenly spread over (ε, 1) from a random offset), MDLM's variance reduction for the 1/t weights.</param>
    public TrainingRow Build(ReadOnlySpan<int> chunk, Random rng, bool editStage, double? t = null)
    {
        if (chunk.Length != sequenceLength) throw new ArgumentException($"chunk must have {sequenceLength} tokens");
        double level = t ?? Epsilon + (1 - Epsilon) * rng.NextDouble();
        var row = rng.NextDouble() < 0.5
            ? Noise(BuildInfillTarget(chunk, rng), level, rng)
            : Noise((chunk.ToArray(), FirstPredictable, sequenceLength - FirstPredictable), level, rng);
        if (editStage) CorruptVisibleTokens(row.Input, row.Weight, rng);
        return row;
    }

    /// <summary>A plain row (the whole sequence noised): the per-token diffusion bound is Σ weight·CE.</summary>
    public TrainingRow BuildPlain(ReadOnlySpan<int> chunk, Random rng) =>
        Noise((chunk.ToArray(), FirstPredictable, sequenceLength - FirstPredictable), Epsilon + (1 - Epsilon) * rng.NextDouble(), rng);

    /// <summary>The first position the model can predict: 1 for a shifted model, which reads position i-1.</summary>
    int FirstPredictable => shifted ? 1 : 0;

    /// <summary>Noise levels for a batch: evenly spaced over (ε, 1) from one random offset (stratified sampling).</summary>
    public static double[] StratifiedLevels(int rows, Random rng)
    {
        double u = rng.NextDouble();
        return Enumerable.Range(0, rows).Select(r => Epsilon + (1 - Epsilon) * ((u + (double)r / rows) % 1.0)).ToArray();
    }

    /// <summary>
    /// Masks each region position with probability t; masked positions weigh 1/(t·region). A row may end up with no
    /// mask at small t — it then carries no loss; forcing one would bias the 1/t-weighted estimate upwards.
    /// </summary>
    TrainingRow Noise((int[] Target, int RegionStart, int RegionLength) example, double t, Random rng)
    {
        var (target, regionStart, regionLength) = example;
        var input = (int[])target.Clone();
        var weight = new float[sequenceLength];
        for (int i = regionStart; i < regionStart + regionLength; i++)
            if (rng.NextDouble() < t) input[i] = vocab.Mask;
        float maskedWeight = (float)(1.0 / t / regionLength);
        for (int i = 0; i < sequenceLength; i++)
            if (input[i] == vocab.Mask) weight[i] = maskedWeight;
        return new TrainingRow(input, target, weight);
    }

    /// <summary>chunk[..a] + span + pads + chunk[a+len..], cut to the sequence length; the region is span + pads.</summary>
    (int[] Target, int RegionStart, int RegionLength) BuildInfillTarget(ReadOnlySpan<int> chunk, Random rng)
    {
        var (start, length) = SpanSampler.Sample(chunk, 1, chunk.Length - 1, vocab, rng);
        int maxPads = SpanSampler.Budget(length) - length;
        int pads = rng.Next(maxPads + 1);
        var target = new int[sequenceLength];
        int n = 0;
        foreach (var tok in chunk[..(start + length)]) target[n++] = tok;
        for (int p = 0; p < pads && n < sequenceLength; p++) target[n++] = vocab.Pad;
        for (int i = start + length; n < sequenceLength; i++) target[n++] = chunk[i];
        return (target, start, Math.Min(length + pads, sequenceLength - start));
    }

    /// <summary>Corrupts ≤10 % of the visible tokens; afterwards every position carries loss (repair objective).</summary>
    void CorruptVisibleTokens(int[] input, float[] weight, Random rng)
    {
        int edits = (int)(rng.NextDouble() * 0.10 * sequenceLength);
        for (int e = 0; e < edits; e++)
        {
            int i = rng.Next(sequenceLength);
            if (input[i] == vocab.Mask) continue;
            if (rng.NextDouble() < 0.6)
            {
                input[i] = RandomOrdinaryToken(rng); // substitution
            }
            else
            {
                // A local insertion followed by a deletion a few tokens later: positions in between are shifted by one.
                int width = Math.Min(2 + rng.Next(7), sequenceLength - i - 1);
                bool anyMasked = false;
                for (int k = i; k <= i + width; k++) anyMasked |= input[k] == vocab.Mask;
                if (anyMasked || width < 1) continue;
                for (int k = i + width; k > i; k--) input[k] = input[k - 1];
                input[i] = RandomOrdinaryToken(rng);
            }
        }
        float visibleWeight = 1f / sequenceLength;
        for (int i = FirstPredictable; i < sequenceLength; i++)
            if (input[i] != vocab.Mask) weight[i] = visibleWeight;
    }

    int RandomOrdinaryToken(Random rng)
    {
        while (true)
        {
            int id = rng.Next(vocab.VocabSize);
            if (!vocab.IsSpecial(id)) return id;
        }
    }
}
