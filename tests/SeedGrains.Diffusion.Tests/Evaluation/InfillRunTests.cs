using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Evaluation;
using SeedGrains.Diffusion.Tests.Tokenization;
using SeedGrains.Diffusion.Training;

namespace SeedGrains.Diffusion.Tests.Evaluation;

/// <summary>InfillRun's totals, with decoders that need no model: one that answers each span's middle, one that answers nothing.</summary>
public sealed class InfillRunTests
{
    static readonly InfillCase[] Cases =
    [
        new("a.py", 1, "def f(x):\n", "    return x + 1\n", "\n\nprint(f(2))\n"),
        new("b.py", 4, "class C:\n", "    pass\n", "\nC()\n"),
    ];

    [Fact]
    public void PerfectAnswersScoreOneAndEmptyAnswersZero()
    {
        var tokenizer = TokenizerFixtures.Tokenizer;
        var middles = Cases.ToDictionary(c => string.Join(",", tokenizer.EncodeVerbatim(c.Prefix).Ids), c => tokenizer.EncodeVerbatim(c.Middle).Ids);
        var oracle = InfillRun.Evaluate(Cases, tokenizer, (prefix, _, _) => new InfillResult(middles[string.Join(",", prefix)], 1, 1));
        var silent = InfillRun.Evaluate(Cases, tokenizer, (_, _, _) => new InfillResult([], 1, 1));

        Assert.Equal((2, 1.0, 1.0), (oracle.ExactMatches, oracle.ExactMatch, oracle.EditSimilarity));
        Assert.Equal((0, 0.0, 0.0), (silent.ExactMatches, silent.ExactMatch, silent.EditSimilarity));
        // Both runs see the same spans, so the same budgets: the training rule applied to each middle's length.
        long budgets = Cases.Sum(c => (long)SpanSampler.Budget(tokenizer.EncodeVerbatim(c.Middle).Ids.Length));
        Assert.Equal(budgets, oracle.BudgetTokens);
        Assert.Equal(budgets, silent.BudgetTokens);
        Assert.Equal(Cases.Sum(c => (long)tokenizer.EncodeVerbatim(c.Middle).Ids.Length), oracle.GeneratedTokens);
        Assert.Equal(0, silent.GeneratedTokens);
    }
}
