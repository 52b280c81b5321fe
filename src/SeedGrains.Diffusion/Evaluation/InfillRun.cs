using System.Diagnostics;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Tokenization;
using SeedGrains.Diffusion.Training;

namespace SeedGrains.Diffusion.Evaluation;

/// <summary>Decodes a region given prefix ids, suffix ids and a token budget.</summary>
public delegate InfillResult InfillDecode(int[] prefix, int[] suffix, int budget);

/// <summary>Totals of one model over a set of infill cases.</summary>
/// <param name="BudgetTokens">The spans' token budgets summed: the most any decoder could have generated.</param>
public sealed record InfillSummary(int Spans, int ExactMatches, double EditSimilaritySum, long GeneratedTokens, long BudgetTokens, long Steps, double Seconds)
{
    public double ExactMatch => Spans == 0 ? 0 : (double)ExactMatches / Spans;
    /// <summary>Mean <see cref="LinesTask.EditSimilarity"/> over the spans.</summary>
    public double EditSimilarity => Spans == 0 ? 0 : EditSimilaritySum / Spans;
    public double TokensPerSecond => Seconds == 0 ? 0 : GeneratedTokens / Seconds;
    public double StepsPerToken => GeneratedTokens == 0 ? 0 : (double)Steps / GeneratedTokens;
}

/// <summary>
/// Runs one decoder over the `lines` cases the same way for every model: the context is cut to
/// <see cref="LinesTask.ContextTokens"/> tokens on each side, the budget follows the replaced region's length by
/// <see cref="SpanSampler.Budget"/> (the AR model gets it as its cap), and only decoding is timed (tokenization is
/// the same for both). The first case is decoded once untimed to warm up.
/// </summary>
public static class InfillRun
{
    /// <param name="onCase">Called after each case (its index, the case, the generated text, exact match) — for
    /// verbose listings and progress displays.</param>
    public static InfillSummary Evaluate(IReadOnlyList<InfillCase> cases, ICodeTokenizer tokenizer, InfillDecode decode, Action<int, InfillCase, string, bool>? onCase = null)
    {
        var prepared = cases.Select(c => Prepare(c, tokenizer)).ToList();
        if (prepared.Count > 0) decode(prepared[0].Prefix, prepared[0].Suffix, prepared[0].Budget);
        int exact = 0;
        double similarity = 0;
        long tokens = 0, steps = 0, budgets = 0;
        var clock = new Stopwatch();
        for (int i = 0; i < prepared.Count; i++)
        {
            var p = prepared[i];
            clock.Start();
            var result = decode(p.Prefix, p.Suffix, p.Budget);
            clock.Stop();
            var text = tokenizer.Decode(result.Tokens);
            bool ok = LinesTask.ExactMatch(cases[i].Middle, text);
            if (ok) exact++;
            similarity += LinesTask.EditSimilarity(cases[i].Middle, text);
            tokens += result.Tokens.Length;
            budgets += p.Budget;
            steps += result.Steps;
            onCase?.Invoke(i, cases[i], text, ok);
        }
        return new InfillSummary(cases.Count, exact, similarity, tokens, budgets, steps, clock.Elapsed.TotalSeconds);
    }

    sealed record Prepared(int[] Prefix, int[] Suffix, int Budget);

    static Prepared Prepare(InfillCase c, ICodeTokenizer tokenizer)
    {
        var prefix = tokenizer.EncodeVerbatim(c.Prefix).Ids;
        var suffix = tokenizer.EncodeVerbatim(c.Suffix).Ids;
        int middle = tokenizer.EncodeVerbatim(c.Middle).Ids.Length;
        return new Prepared(
            prefix[Math.Max(0, prefix.Length - LinesTask.ContextTokens)..],
            suffix[..Math.Min(suffix.Length, LinesTask.ContextTokens)],
            SpanSampler.Budget(middle));
    }
}
