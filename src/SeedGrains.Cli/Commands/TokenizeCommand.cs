using System.CommandLine;
using System.Text.Json;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Cli.Commands;

/// <summary>`seedgrains tokenize`: checks a tokenizer against reference cases (ids from HF tokenizers).</summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var tokenizerOption = new Option<string>("--tokenizer") { Description = "Directory holding tokenizer.json (or the file itself).", Required = true };
        var casesOption = new Option<string>("--cases") { Description = "cases.json: [{\"text\": ..., \"ids\": [...]}].", Required = true };
        var jsonOption = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var command = new Command("tokenize", "Encode reference cases and count id mismatches, round-trip and offset failures.")
        {
            tokenizerOption, casesOption, jsonOption,
        };
        command.SetAction(parseResult => RunWithClearErrors(() =>
        {
            var tokenizer = CodeTokenizer.Load(parseResult.GetValue(tokenizerOption)!);
            var cases = TokenizerCase.ReadFile(parseResult.GetValue(casesOption)!);
            var report = TokenizerParityReport.Check(tokenizer, cases);
            if (parseResult.GetValue(jsonOption))
            {
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["cases"] = report.Cases,
                    ["mismatches"] = report.Mismatches,
                    ["roundtrip_failures"] = report.RoundtripFailures,
                    ["offset_failures"] = report.OffsetFailures,
                    ["vocabulary_size"] = tokenizer.VocabularySize,
                }));
            }
            else
            {
                Console.WriteLine($"{report.Cases} cases: {report.Mismatches} id mismatches, {report.RoundtripFailures} round-trip failures, {report.OffsetFailures} offset failures ({tokenizer.Source}, vocabulary {tokenizer.VocabularySize})");
                foreach (var failure in report.Failures.Take(20)) Console.WriteLine("  " + failure);
            }
            return report.Mismatches + report.RoundtripFailures + report.OffsetFailures == 0 ? 0 : 1;
        }));
        return command;
    }

    /// <summary>Bad input (a missing or malformed file, an unsupported tokenizer) → one line on stderr and exit code 2, no stack trace.</summary>
    internal static int RunWithClearErrors(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is TokenizerFormatException or IOException or FormatException or JsonException
                                      or UnauthorizedAccessException or SeedGrains.Diffusion.Data.CorpusException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
