using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Diffusion.Evaluation;

/// <summary>Totals of one model over `bodies` cases: the infill totals, and how many filled files still parse as Python.</summary>
public sealed record BodiesSummary(InfillSummary Infill, int Parsed)
{
    /// <summary>The share of filled files (prefix + generated body + suffix, the whole file) that parse.</summary>
    public double ParseRate => Infill.Spans == 0 ? 0 : (double)Parsed / Infill.Spans;
}

/// <summary>
/// Runs one decoder over `bodies` cases exactly as <see cref="InfillRun"/> runs `lines` (same context, budget and
/// timing), then puts each generated body back into its whole file and checks all filled files with one
/// <see cref="PythonParseCheck"/> call — outside the timed decoding. Each generated body is inserted as emitted, so a
/// body that does not end its last line joins the next one, as it would in an editor.
/// </summary>
public static class BodiesRun
{
    public static BodiesSummary Evaluate(IReadOnlyList<InfillCase> cases, ICodeTokenizer tokenizer, InfillDecode decode, PythonParseCheck parseCheck,
        Action<int, InfillCase, string, bool>? onCase = null)
    {
        var filled = new string[cases.Count];
        var infill = InfillRun.Evaluate(cases, tokenizer, decode, (i, c, text, ok) =>
        {
            filled[i] = c.Prefix + text + c.Suffix;
            onCase?.Invoke(i, c, text, ok);
        });
        return new BodiesSummary(infill, parseCheck.Parses(filled).Count(ok => ok));
    }
}
