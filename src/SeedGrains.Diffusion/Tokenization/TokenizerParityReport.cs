namespace SeedGrains.Diffusion.Tokenization;

/// <summary>How a tokenizer fares on reference cases: id mismatches, round-trip failures, broken offsets.</summary>
public sealed record TokenizerParityReport(int Cases, int Mismatches, int RoundtripFailures, int OffsetFailures, IReadOnlyList<string> Failures)
{
    /// <summary>Encode every case, compare ids, check Decode(Encode(x)) == Normalize(x) and that offsets tile the text.</summary>
    public static TokenizerParityReport Check(CodeTokenizer tokenizer, IReadOnlyList<TokenizerCase> cases)
    {
        int mismatches = 0, roundtrips = 0, offsetFailures = 0;
        var failures = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var (text, expected) = (cases[i].Text, cases[i].Ids);
            var encoded = tokenizer.Encode(text);
            if (!encoded.Ids.AsSpan().SequenceEqual(expected))
            {
                mismatches++;
                var at = FirstDifference(encoded.Ids, expected);
                failures.Add($"case {i}: ids differ at position {at} (got {encoded.Ids.Length} ids, expected {expected.Length})");
            }
            if (tokenizer.Decode(encoded.Ids) != tokenizer.Normalize(text))
            {
                roundtrips++;
                failures.Add($"case {i}: decode(encode(text)) differs from the normalized text");
            }
            if (OffsetCheck.FindProblem(encoded.Offsets, text.Length) is { } problem)
            {
                offsetFailures++;
                failures.Add($"case {i}: {problem}");
            }
        }
        return new TokenizerParityReport(cases.Count, mismatches, roundtrips, offsetFailures, failures);
    }

    private static int FirstDifference(int[] actual, int[] expected)
    {
        var n = Math.Min(actual.Length, expected.Length);
        for (var i = 0; i < n; i++)
        {
            if (actual[i] != expected[i]) return i;
        }
        return n;
    }
}
