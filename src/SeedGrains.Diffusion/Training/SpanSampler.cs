namespace SeedGrains.Diffusion.Training;

/// <summary>
/// Picks the region a training example rewrites: half of the time 1–3 whole lines (what an editor replaces,
/// and what the `lines` evaluation asks for), otherwise a random run of 1–64 tokens. Both objectives use it,
/// so the diffusion model and the AR baseline see the same regions.
/// </summary>
public static class SpanSampler
{
    public const int MaxRandomSpan = 64;

    /// <summary>Returns [start, start+length) inside tokens[lo, hi).</summary>
    public static (int Start, int Length) Sample(ReadOnlySpan<int> tokens, int lo, int hi, TrainingVocabulary vocab, Random rng)
    {
        if (hi - lo < 2) throw new ArgumentException("range too short for a span");
        if (rng.NextDouble() < 0.5)
        {
            var line = SampleLines(tokens, lo, hi, vocab, rng);
            if (line.Length > 0) return line;
        }
        int length = Math.Min(1 + rng.Next(MaxRandomSpan), hi - lo - 1);
        return (lo + rng.Next(hi - lo - length), length);
    }

    /// <summary>1–3 consecutive lines: from just after a line end up to and including a later line end.</summary>
    static (int Start, int Length) SampleLines(ReadOnlySpan<int> tokens, int lo, int hi, TrainingVocabulary vocab, Random rng)
    {
        var lineEnds = new List<int>();
        for (int i = lo; i < hi; i++)
            if (vocab.EndsLine[tokens[i]]) lineEnds.Add(i);
        if (lineEnds.Count < 2) return (0, 0);
        int lines = 1 + rng.Next(3);
        int first = rng.Next(lineEnds.Count - 1);
        int last = Math.Min(first + lines, lineEnds.Count - 1);
        int start = lineEnds[first] + 1, end = lineEnds[last] + 1;
        // Keep spans short enough that context remains on both sides.
        if (end - start > 96 || end - start < 1) return (0, 0);
        return (start, end - start);
    }

    /// <summary>
    /// The mask budget for a region whose original length is <paramref name="length"/> tokens: the documented rule
    /// used at evaluation and in the service (the new text may be longer; unused masks become pad).
    /// </summary>
    public static int Budget(int length) => length + Math.Max(4, (length + 3) / 4);
}
