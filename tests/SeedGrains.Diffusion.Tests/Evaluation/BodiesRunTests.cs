using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Evaluation;
using SeedGrains.Diffusion.Tests.Tokenization;

namespace SeedGrains.Diffusion.Tests.Evaluation;

/// <summary>BodiesRun's parse rate, with decoders that need no model: one that answers each body, one that answers nothing.</summary>
public sealed class BodiesRunTests
{
    static readonly InfillCase[] Cases =
    [
        new("a.py", 1, "def f(x):\n", "    y = x + 1\n    return y\n", "\n\nprint(f(2))\n"),
        new("b.py", 1, "class C:\n    def m(self):\n", "        return self\n", "\nC()\n"),
    ];

    [Fact]
    public void TheOriginalBodiesParseAndMissingBodiesDoNot()
    {
        var tokenizer = TokenizerFixtures.Tokenizer;
        var middles = Cases.ToDictionary(c => string.Join(",", tokenizer.EncodeVerbatim(c.Prefix).Ids), c => tokenizer.EncodeVerbatim(c.Middle).Ids);
        var check = new PythonParseCheck();

        var oracle = BodiesRun.Evaluate(Cases, tokenizer, (prefix, _, _) => new InfillResult(middles[string.Join(",", prefix)], 1, 1), check);
        var silent = BodiesRun.Evaluate(Cases, tokenizer, (_, _, _) => new InfillResult([], 1, 1), check);
        // Only the first file's body is replaced by valid but unindented code: a file that parses in part is a failure.
        var unindented = tokenizer.EncodeVerbatim("y = 1\n").Ids;
        var wrong = BodiesRun.Evaluate(Cases, tokenizer, (prefix, _, _) => new InfillResult(
            prefix.SequenceEqual(tokenizer.EncodeVerbatim(Cases[0].Prefix).Ids) ? unindented : middles[string.Join(",", prefix)], 1, 1), check);

        Assert.Equal((2, 1.0, 1.0), (oracle.Parsed, oracle.ParseRate, oracle.Infill.ExactMatch));
        Assert.Equal((0, 0.0), (silent.Parsed, silent.ParseRate));
        Assert.Equal((1, 0.5, 0.5), (wrong.Parsed, wrong.ParseRate, wrong.Infill.ExactMatch));
    }
}
