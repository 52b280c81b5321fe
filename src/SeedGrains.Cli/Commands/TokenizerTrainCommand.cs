using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using SeedGrains.Diffusion.Data;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Cli.Commands;

/// <summary>`seedgrains tokenizer train`: trains a byte-level BPE on a code corpus and saves tokenizer.json.</summary>
internal static class TokenizerTrainCommand
{
    public static Command Create()
    {
        var dataOption = new Option<string[]>("--data") { Description = "Corpus directory (repeatable); searched recursively.", Required = true };
        var vocabOption = new Option<int>("--vocab-size") { Description = "Total tokens including specials and the 256 byte tokens.", DefaultValueFactory = _ => 8192 };
        var outOption = new Option<string>("--out") { Description = "Directory to write tokenizer.json into.", Required = true };
        var maxBytesOption = new Option<long?>("--max-bytes") { Description = "Use only the first N bytes of distinct documents." };
        var patternOption = new Option<string[]>("--pattern") { Description = "File name pattern (repeatable).", DefaultValueFactory = _ => ["*.py"] };
        var excludeOption = new Option<string[]>("--exclude") { Description = "Directory name to skip wherever it occurs (repeatable).", DefaultValueFactory = _ => ["__pycache__", "site-packages"] };
        var validationOption = new Option<double>("--validation-fraction") { Description = "Share of documents held out (by content hash).", DefaultValueFactory = _ => 0.02 };
        var skipInvalidOption = new Option<bool>("--skip-invalid") { Description = "Skip and count files that are not UTF-8 instead of failing." };
        var jsonOption = new Option<bool>("--json") { Description = "Print one JSON object with the results on stdout." };
        var command = new Command("train", "Train a byte-level BPE (Qwen2 pre-tokenizer, NFC) on source files.")
        {
            dataOption, vocabOption, outOption, maxBytesOption, patternOption, excludeOption, validationOption, skipInvalidOption, jsonOption,
        };
        command.SetAction(parseResult => TokenizeCommand.RunWithClearErrors(() =>
        {
            var corpus = new CodeCorpus(new CodeCorpusOptions
            {
                Directories = parseResult.GetValue(dataOption)!,
                Patterns = parseResult.GetValue(patternOption)!,
                ExcludedDirectoryNames = parseResult.GetValue(excludeOption)!,
                ValidationFraction = parseResult.GetValue(validationOption),
                SkipInvalid = parseResult.GetValue(skipInvalidOption),
                MaxBytes = parseResult.GetValue(maxBytesOption),
            });
            var trainer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = parseResult.GetValue(vocabOption) });
            var clock = Stopwatch.StartNew();
            foreach (var document in corpus.Documents(CorpusSplit.Train))
            {
                trainer.AddText(document.Text);
            }
            var stats = corpus.Statistics!;
            var countSeconds = clock.Elapsed.TotalSeconds;
            Console.Error.WriteLine($"counted {trainer.TotalWords:N0} words ({trainer.DistinctWords:N0} distinct) in {stats.TrainDocuments:N0} train documents, {stats.TrainBytes:N0} bytes, {countSeconds:F1} s");

            // Live progress in a terminal (Spectre.Console via CliProgress); nothing per merge when redirected or --json.
            var trained = CliProgress.Run(parseResult.GetValue(jsonOption), progress =>
            {
                Action<double>? merges = null;
                var shown = 0;
                return trainer.Train(new Reported<BpeTrainingProgress>(p =>
                {
                    merges ??= progress.Line("merges", p.TargetMerges);
                    merges(p.Merges - shown);
                    shown = p.Merges;
                }));
            });
            var trainSeconds = clock.Elapsed.TotalSeconds;
            var file = trained.Save(parseResult.GetValue(outOption)!);

            // Read back what was written, and measure compression on both sides of the split.
            var tokenizer = CodeTokenizer.Load(file);
            var train = CharsPerToken.Measure(tokenizer, corpus.Documents(CorpusSplit.Train).Select(d => d.Text));
            var validation = CharsPerToken.Measure(tokenizer, corpus.Documents(CorpusSplit.Validation).Select(d => d.Text));
            var result = new Dictionary<string, object?>
            {
                ["out"] = file,
                ["vocabulary_size"] = tokenizer.VocabularySize,
                ["merges"] = trained.Merges.Count,
                ["files_found"] = stats.FilesFound,
                ["files_read"] = stats.FilesRead,
                ["duplicates"] = stats.Duplicates,
                ["skipped_invalid"] = stats.SkippedInvalid,
                ["skipped_files"] = stats.SkippedFiles,
                ["train_documents"] = stats.TrainDocuments,
                ["train_bytes"] = stats.TrainBytes,
                ["validation_documents"] = stats.ValidationDocuments,
                ["validation_bytes"] = stats.ValidationBytes,
                ["distinct_words"] = trained.DistinctWords,
                ["total_words"] = trained.TotalWords,
                ["count_seconds"] = Math.Round(countSeconds, 1),
                ["merge_seconds"] = Math.Round(trainSeconds - countSeconds, 1),
                ["train_chars_per_token"] = Math.Round(train.Ratio, 3),
                ["train_tokens"] = train.Tokens,
                ["train_chars"] = train.Characters,
                ["validation_chars_per_token"] = Math.Round(validation.Ratio, 3),
                ["validation_tokens"] = validation.Tokens,
                ["validation_chars"] = validation.Characters,
            };
            Console.WriteLine(parseResult.GetValue(jsonOption)
                ? JsonSerializer.Serialize(result)
                : string.Join(Environment.NewLine, result.Select(kv => $"{kv.Key}: {kv.Value}")));
            return 0;
        }));
        var tokenizerCommand = new Command("tokenizer", "Tokenizer tools.");
        tokenizerCommand.Subcommands.Add(command);
        return tokenizerCommand;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, in order (<see cref="Progress{T}"/> posts
/// to the thread pool, so reports could arrive late or out of order).</summary>
internal sealed class Reported<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
