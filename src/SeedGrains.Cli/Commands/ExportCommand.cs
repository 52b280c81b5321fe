using System.CommandLine;
using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Devices;
using SeedGrains.Diffusion.Training;
using static TorchSharp.torch;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains export --checkpoint DIR --out DIR [--dtype bfloat16] [--max-shard-mb N]`: a training checkpoint →
/// a model folder to ship (config.json, weights, tokenizer.json; no optimizer state). bfloat16 halves the weights
/// for the same parameters; they are loaded back in the compute dtype (float32 unless asked).
/// </summary>
internal static class ExportCommand
{
    static string FullPath(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder (a run's checkpoint/ or branch/)", Required = true };
        var output = new Option<string>("--out") { Description = "Model folder to write", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.json (or its folder); default: the one in --checkpoint" };
        var dtype = new Option<string>("--dtype") { Description = "float32 | bfloat16", DefaultValueFactory = _ => "bfloat16" };
        var maxShard = new Option<double>("--max-shard-mb") { Description = "Split the weights into shards of at most this many MiB (0: one file)" };
        var command = new Command("export", "Write a checkpoint's weights as a model folder to ship, optionally in bfloat16 and in shards.")
        {
            checkpoint, output, tokenizer, dtype, maxShard,
        };
        command.SetAction(p =>
        {
            var source = p.GetValue(checkpoint)!;
            var target = p.GetValue(output)!;
            var tokenizerFile = CliOptions.TokenizerFile(p.GetValue(tokenizer) ?? source);
            if (!File.Exists(tokenizerFile)) throw new FileNotFoundException($"no tokenizer.json at {tokenizerFile}: give --tokenizer");
            var weightsDtype = ComputeDtypeSelector.ParseName(p.GetValue(dtype)) ?? throw new ArgumentException("--dtype must be float32 or bfloat16");
            double shardMb = p.GetValue(maxShard);
            if (shardMb < 0) throw new ArgumentException($"--max-shard-mb must be 0 or more (got {shardMb})");
            // A run's own checkpoint (float32 + optimizer state, needed by --resume) is never a place to export to.
            if (FullPath(source) == FullPath(target) || File.Exists(Path.Combine(target, Trainer.StateFile)) || File.Exists(Path.Combine(target, Trainer.OptimizerFile)))
                throw new ArgumentException($"--out {target} is a training checkpoint: export to another folder");

            using var model = Checkpoint.Load(source, CPU, ScalarType.Float32);
            Checkpoint.Save(model, target, weightsDtype, shardMb > 0 ? (long)(shardMb * 1024 * 1024) : long.MaxValue);
            File.Copy(tokenizerFile, Path.Combine(target, "tokenizer.json"), overwrite: true);
            long parameters = model.parameters().Sum(x => x.numel());
            long bytes = Directory.EnumerateFiles(target, "model*.safetensors").Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"exported {parameters:N0} parameters as {weightsDtype} ({bytes / 1048576.0:F1} MiB) → {target}");
            return 0;
        });
        return command;
    }
}
