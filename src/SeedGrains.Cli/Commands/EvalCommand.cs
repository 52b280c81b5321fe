using SeedGrains.Diffusion.Devices;
using System.CommandLine;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Evaluation;
using SeedGrains.Diffusion.Runtime;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains eval --task lines|bodies|loss`: the `lines` or `bodies` infill task (no oracle length) or validation loss,
/// for a diffusion model or the AR baseline (told apart by the model's config).
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (config.json, weights, tokenizer.json)", Required = true };
        var data = new Option<string>("--data") { Description = "Directory of held-out source files", Required = true };
        var task = new Option<string>("--task") { Description = "lines | bodies | loss", DefaultValueFactory = _ => "lines" };
        var maxFiles = new Option<int>("--max-files") { DefaultValueFactory = _ => 100 };
        var spansPerFile = new Option<int>("--spans-per-file") { Description = "Spans (lines) or function bodies (bodies) per file", DefaultValueFactory = _ => 1 };
        var verbose = new Option<bool>("--verbose") { Description = "Print every case (stderr)" };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var json = CliOptions.Json();
        var threads = CliOptions.Threads();
        var dtype = CliOptions.ComputeDtype("float32");
        var policy = DecodingOptions.ForQuality();
        var command = new Command("eval", "Evaluate a model on held-out code.") { model, data, task, maxFiles, spansPerFile, verbose, seed, device, json, threads, dtype };
        policy.AddTo(command);
        command.SetAction(p =>
        {
            CliOptions.ApplyThreads(p, threads);
            var dev = DeviceSelector.Select(p.GetValue(device)!);
            using var bundle = ModelBundle.Load(p.GetValue(model)!, dev, ComputeDtypeSelector.Select(p.GetValue(dtype), dev));
            var result = new Dictionary<string, object?> { ["task"] = p.GetValue(task), ["model"] = bundle.Name, ["kind"] = bundle.IsAutoregressive ? "ar" : "diffusion", ["dtype"] = ComputeDtypeSelector.NameOf(bundle.Model.Dtype) };
            switch (p.GetValue(task))
            {
                case "lines":
                    var sample = LinesTask.Build(p.GetValue(data)!, p.GetValue(maxFiles), p.GetValue(seed), p.GetValue(spansPerFile));
                    var summary = CliProgress.Run(p.GetValue(json), progress =>
                        InfillRun.Evaluate(sample.Cases, bundle.Tokenizer, policy.DecoderFor(bundle, p), OnCase(progress.Line("spans", sample.Cases.Count), p.GetValue(verbose))));
                    result["files"] = sample.FilesUsed;
                    result["files_skipped"] = sample.FilesSkipped;
                    Report(summary);
                    break;
                case "bodies":
                    var bodies = BodiesTask.Build(p.GetValue(data)!, bundle.Tokenizer, p.GetValue(maxFiles), p.GetValue(seed), p.GetValue(spansPerFile));
                    var filled = CliProgress.Run(p.GetValue(json), progress =>
                        BodiesRun.Evaluate(bodies.Cases, bundle.Tokenizer, policy.DecoderFor(bundle, p), new PythonParseCheck(), OnCase(progress.Line("bodies", bodies.Cases.Count), p.GetValue(verbose))));
                    result["files"] = bodies.FilesUsed;
                    result["files_skipped"] = bodies.FilesSkipped;
                    result["files_unparsed"] = bodies.FilesUnparsed;
                    Report(filled.Infill);
                    result["parse_rate"] = filled.ParseRate;
                    result["parsed"] = filled.Parsed;
                    break;
                case "loss":
                    var loss = CliProgress.Run(p.GetValue(json), progress =>
                    {
                        Action<double>? windows = null;
                        return ValidationLoss.Measure(bundle, p.GetValue(data)!, p.GetValue(maxFiles), p.GetValue(seed),
                            (done, all) => (windows ??= progress.Line("windows", all))(1));
                    });
                    result["files"] = loss.Files;
                    result["windows"] = loss.Windows;
                    result["tokens"] = loss.Tokens;
                    result[bundle.IsAutoregressive ? "nll_per_token" : "diffusion_bound_per_token"] = loss.LossPerToken;
                    break;
                default:
                    throw new ArgumentException($"--task must be lines, bodies or loss, not '{p.GetValue(task)}'");
            }
            CliOptions.Print(result, p.GetValue(json));
            return 0;

            void Report(InfillSummary summary)
            {
                result["spans"] = summary.Spans;
                result["exact_match"] = summary.ExactMatch;
                result["exact_matches"] = summary.ExactMatches;
                result["edit_similarity"] = summary.EditSimilarity;
                result["generated_tokens"] = summary.GeneratedTokens;
                result["tokens_per_s"] = summary.TokensPerSecond;
                result["steps_per_token"] = summary.StepsPerToken;
                if (!bundle.IsAutoregressive) result["policy"] = policy.Describe(p);
            }
        });
        return command;
    }

    /// <summary>Advances the progress line after each case and, with --verbose, prints it (stderr).</summary>
    static Action<int, InfillCase, string, bool> OnCase(Action<double> advance, bool verbose) => (i, c, text, ok) =>
    {
        advance(1);
        if (verbose) Console.Error.WriteLine($"[{i}] {(ok ? "OK  " : "MISS")} {c.File}:{c.FirstLine + 1}\n--- expected\n{c.Middle}--- got\n{text}\n");
    };
}
