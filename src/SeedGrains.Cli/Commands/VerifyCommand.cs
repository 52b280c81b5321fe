using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Devices;
using SeedGrains.Diffusion.Model;
using static TorchSharp.torch;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains verify --model DIR --reference FILE [--json] [--device ..] [--dtype ..]`: loads an HF-layout
/// checkpoint and reports the largest |Δlogit| against reference logits from PyTorch/transformers in causal,
/// bidirectional and key-masked bidirectional attention. Exit code 0 when the comparison ran (whatever the
/// numbers), 1 when it could not run.
/// </summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint directory (config.json + safetensors).", Required = true };
        var reference = new Option<string>("--reference") { Description = "Reference safetensors (input_ids, key_mask, logits_*).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var device = new Option<string>("--device") { Description = $"Device: {DeviceSelector.Usage}.", DefaultValueFactory = _ => "auto" };
        var dtype = new Option<string?>("--dtype") { Description = "Load weights as float32 | bfloat16 (default: as stored)." };

        var command = new Command("verify", "Compare the model's logits with reference logits (max |Δlogit| per attention mode).");
        command.Options.Add(model);
        command.Options.Add(reference);
        command.Options.Add(json);
        command.Options.Add(device);
        command.Options.Add(dtype);
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var modelDir = parseResult.GetValue(model)!;
                var referencePath = parseResult.GetValue(reference)!;
                var target = DeviceSelector.Select(parseResult.GetValue(device));
                var weightsDtype = ComputeDtypeSelector.ParseName(parseResult.GetValue(dtype));
                using var loaded = Checkpoint.Load(modelDir, target, weightsDtype);
                var report = ReferenceParity.Compare(loaded, referencePath);
                if (parseResult.GetValue(json))
                {
                    output.WriteLine(new JsonObject
                    {
                        ["causal_max_abs_diff"] = report.CausalMaxAbsDiff,
                        ["bidirectional_max_abs_diff"] = report.BidirectionalMaxAbsDiff,
                        ["keymask_max_abs_diff"] = report.KeymaskMaxAbsDiff,
                    }.ToJsonString());
                }
                else
                {
                    WriteTable(output, report, modelDir, referencePath, loaded);
                }
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ModelConfigException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static void WriteTable(TextWriter output, ParityReport report, string modelDir, string referencePath, Qwen2Model model)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"model      {modelDir} ({model.Dtype}, {model.Device.type})");
        output.WriteLine($"reference  {referencePath} [{report.Batch} x {report.Length} x {report.Vocab}]");
        output.WriteLine();
        output.WriteLine("attention                        max |Δlogit|");
        output.WriteLine(string.Create(c, $"causal (vs transformers)         {report.CausalMaxAbsDiff,12:0.000e+00}"));
        output.WriteLine(string.Create(c, $"bidirectional                    {report.BidirectionalMaxAbsDiff,12:0.000e+00}"));
        output.WriteLine(string.Create(c, $"bidirectional + key mask         {report.KeymaskMaxAbsDiff,12:0.000e+00}"));
    }
}
