using SeedGrains.Diffusion.Devices;
using System.CommandLine;
using SeedGrains.Diffusion.Evaluation;
using SeedGrains.Diffusion.Runtime;
using TorchSharp;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains bench decode`: the diffusion model and the AR baseline on the same `lines` spans or `bodies` (function
/// bodies), in one run — generated tokens per second (decoding only), exact match, edit similarity, steps per generated
/// token, and for `bodies` the parse rate of the filled files.
/// </summary>
internal static class BenchDecodeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Diffusion model folder", Required = true };
        var arModel = new Option<string>("--ar-model") { Description = "AR baseline folder", Required = true };
        var data = new Option<string>("--data") { Description = "Directory of held-out source files", Required = true };
        var maxFiles = new Option<int>("--max-files") { DefaultValueFactory = _ => 100 };
        var task = new Option<string>("--task") { Description = "lines | bodies", DefaultValueFactory = _ => "lines" };
        var spansPerFile = new Option<int>("--spans-per-file") { Description = "Spans (lines) or function bodies (bodies) per file", DefaultValueFactory = _ => 1 };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var json = CliOptions.Json();
        var threads = CliOptions.Threads();
        var dtype = CliOptions.ComputeDtype("auto");
        var decoding = DecodingOptions.ForSpeed().WithTaskDefaults(task, "bodies", DecodingOptions.BodiesForSpeed);
        var command = new Command("decode", "Diffusion vs AR decoding speed and exact match on the same spans.") { model, arModel, data, task, maxFiles, spansPerFile, seed, device, json, threads, dtype };
        decoding.AddTo(command);
        command.SetAction(p =>
        {
            CliOptions.ApplyThreads(p, threads);
            var dev = DeviceSelector.Select(p.GetValue(device)!);
            var computeDtype = ComputeDtypeSelector.Select(p.GetValue(dtype), dev);
            bool bodies = p.GetValue(task) switch
            {
                "lines" => false,
                "bodies" => true,
                var other => throw new ArgumentException($"--task must be lines or bodies, not '{other}'"),
            };
            using var diffusion = ModelBundle.Load(p.GetValue(model)!, dev, computeDtype);
            using var ar = ModelBundle.Load(p.GetValue(arModel)!, dev, computeDtype);
            if (diffusion.IsAutoregressive) throw new ArgumentException($"--model {p.GetValue(model)} is a causal (AR) model");
            if (!ar.IsAutoregressive) throw new ArgumentException($"--ar-model {p.GetValue(arModel)} is not a causal (AR) model");
            // Bodies are chosen by their length in the diffusion model's tokenizer (the bundled pair shares one).
            IReadOnlyList<InfillCase> cases;
            int files;
            if (bodies)
            {
                var sample = BodiesTask.Build(p.GetValue(data)!, diffusion.Tokenizer, p.GetValue(maxFiles), p.GetValue(seed), p.GetValue(spansPerFile));
                (cases, files) = (sample.Cases, sample.FilesUsed);
            }
            else
            {
                var sample = LinesTask.Build(p.GetValue(data)!, p.GetValue(maxFiles), p.GetValue(seed), p.GetValue(spansPerFile));
                (cases, files) = (sample.Cases, sample.FilesUsed);
            }
            var parseCheck = bodies ? new PythonParseCheck() : null;
            var arDecode = decoding.DecoderFor(ar, p);
            var (d, a, prompt, dParse, aParse) = CliProgress.Run(p.GetValue(json), progress =>
            {
                var n = cases.Count;
                var diffusionSpans = progress.Line("diffusion", n);
                var arSpans = progress.Line("autoregressive", n);
                var promptSpans = progress.Line("AR prompt only", n);
                // The parse check runs after each model's timed decoding, never inside it.
                (InfillSummary, double?) Run(ModelBundle bundle, InfillDecode decode, Action<double> advance)
                {
                    if (parseCheck is null) return (InfillRun.Evaluate(cases, bundle.Tokenizer, decode, (_, _, _, _) => advance(1)), null);
                    var filled = BodiesRun.Evaluate(cases, bundle.Tokenizer, decode, parseCheck, (_, _, _, _) => advance(1));
                    return (filled.Infill, filled.ParseRate);
                }
                var (d, dParse) = Run(diffusion, decoding.DecoderFor(diffusion, p), diffusionSpans);
                var (a, aParse) = Run(ar, arDecode, arSpans);
                // The AR decoder again, capped at one token: only its prompt forward. The diffusion decoder's first forward
                // encodes the same context (plus the masks; same architecture for the bundled pair), so even if every later
                // step were free it could not emit a span's whole budget faster: all budgets / ar_prompt_seconds over
                // ar_tokens_per_s bounds the speedup on this machine, whatever the policy.
                var prompt = InfillRun.Evaluate(cases, ar.Tokenizer, (prefix, suffix, _) => arDecode(prefix, suffix, 1), (_, _, _, _) => promptSpans(1));
                return (d, a, prompt, dParse, aParse);
            });
            var result = new Dictionary<string, object?>
            {
                ["task"] = p.GetValue(task),
                ["diffusion_tokens_per_s"] = d.TokensPerSecond,
                ["ar_tokens_per_s"] = a.TokensPerSecond,
                ["speedup"] = a.TokensPerSecond == 0 ? 0 : d.TokensPerSecond / a.TokensPerSecond,
                ["diffusion_exact_match"] = d.ExactMatch,
                ["ar_exact_match"] = a.ExactMatch,
                ["diffusion_edit_similarity"] = d.EditSimilarity,
                ["ar_edit_similarity"] = a.EditSimilarity,
                ["diffusion_steps_per_token"] = d.StepsPerToken,
                ["ar_steps_per_token"] = a.StepsPerToken,
                ["diffusion_generated_tokens"] = d.GeneratedTokens,
                ["ar_generated_tokens"] = a.GeneratedTokens,
                ["diffusion_seconds"] = d.Seconds,
                ["ar_seconds"] = a.Seconds,
                ["ar_prompt_seconds"] = prompt.Seconds,
                ["budget_tokens"] = d.BudgetTokens,
                ["speedup_ceiling"] = prompt.Seconds == 0 || a.TokensPerSecond == 0 ? 0 : d.BudgetTokens / prompt.Seconds / a.TokensPerSecond,
                ["files"] = files,
                ["spans"] = d.Spans,
                ["policy"] = decoding.Describe(p),
                ["device"] = dev.type.ToString().ToLowerInvariant(),
                ["dtype"] = ComputeDtypeSelector.NameOf(diffusion.Model.Dtype), // as loaded; the AR model is loaded the same way
                ["threads"] = torch.get_num_threads(),
            };
            if (bodies)
            {
                result["diffusion_parse_rate"] = dParse;
                result["ar_parse_rate"] = aParse;
            }
            CliOptions.Print(result, p.GetValue(json));
            return 0;
        });
        return command;
    }
}
