using System.CommandLine;
using SeedGrains.Diffusion.Devices;
using SeedGrains.Diffusion.Evaluation;
using SeedGrains.Diffusion.Runtime;
using TorchSharp;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains bench forward`: what one decoder step costs by its width on this machine — a forward of W new positions
/// against a cached context, plus the LM head — and the full forward of the context. It tells whether a decoder that
/// takes fewer, wider steps (a diffusion block) can be faster than one that takes many one-position steps (AR).
/// </summary>
internal static class BenchForwardCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder", Required = true };
        var context = new Option<int>("--context") { Description = "Cached positions (the `lines`/`bodies` tasks: up to 512 of context plus the region)", DefaultValueFactory = _ => 700 };
        var widths = new Option<string>("--widths") { Description = "New positions per forward, comma-separated (1 = an AR step; a block of B = B + 1 with its anchor)", DefaultValueFactory = _ => "1,2,5,9,17,33,65,129" };
        var repeats = new Option<int>("--repeats") { Description = "Timed forwards per width (median reported), after one untimed", DefaultValueFactory = _ => 20 };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var json = CliOptions.Json();
        var threads = CliOptions.Threads();
        var dtype = CliOptions.ComputeDtype("auto");
        var command = new Command("forward", "Milliseconds per decoder step by its width, against a cached context.") { model, context, widths, repeats, seed, device, json, threads, dtype };
        command.SetAction(p =>
        {
            CliOptions.ApplyThreads(p, threads);
            var parsed = ParseWidths(p.GetValue(widths)!);
            var dev = DeviceSelector.Select(p.GetValue(device)!);
            using var bundle = ModelBundle.Load(p.GetValue(model)!, dev, ComputeDtypeSelector.Select(p.GetValue(dtype), dev));
            var cost = ForwardCost.Measure(bundle.Model, p.GetValue(context), parsed, p.GetValue(repeats), p.GetValue(seed));
            var result = new Dictionary<string, object?>
            {
                ["model"] = bundle.Name,
                ["attention"] = bundle.IsAutoregressive ? "causal" : "bidirectional",
                ["context"] = cost.Context,
                ["context_forward_ms"] = cost.ContextMs,
                ["widths"] = cost.Steps.Select(s => s.Width).ToArray(),
                ["step_ms"] = cost.Steps.Select(s => s.MedianMs).ToArray(),
                ["repeats"] = p.GetValue(repeats),
                ["device"] = dev.type.ToString().ToLowerInvariant(),
                ["dtype"] = ComputeDtypeSelector.NameOf(bundle.Model.Dtype),
                ["threads"] = torch.get_num_threads(),
            };
            CliOptions.Print(result, p.GetValue(json));
            return 0;
        });
        return command;
    }

    static int[] ParseWidths(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var widths = parts.Select(s => int.TryParse(s, out var w) && w >= 1 ? w : -1).ToArray();
        if (widths.Length == 0 || widths.Contains(-1)) throw new ArgumentException($"--widths must be positive integers separated by commas, not '{text}'");
        return widths;
    }
}
