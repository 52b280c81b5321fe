using System.CommandLine;
using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Devices;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains init --config FILE --out DIR [--seed S]`: a randomly initialised model folder of any Qwen2/Dream shape
/// (config.json, bfloat16 safetensors sharded above 2 GB, the bundled tokenizer), so that runs with a large shape need
/// no download. The weights are random: the text such a model writes is noise; it is for measuring speed and memory.
/// </summary>
internal static class InitCommand
{
    private const double DefaultShardMb = 2048;

    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "A config.json of the shape (HF Qwen2/Dream field names; see deploy/gpu/shapes/)", Required = true };
        var output = new Option<string>("--out") { Description = "Model folder to write", Required = true };
        var seed = CliOptions.Seed();
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.json (or its folder); default: the bundled models/tokenizer" };
        var maxShard = new Option<double>("--max-shard-mb") { Description = "Weights above this many MiB are split into shards", DefaultValueFactory = _ => DefaultShardMb };
        var device = new Option<string>("--device") { Description = "Where the weights are drawn: cpu | cuda | cuda:N | auto (the numbers for a seed depend on the device; a GPU is minutes faster for a 7B shape)", DefaultValueFactory = _ => "cpu" };
        var command = new Command("init", "Write a randomly initialised model folder of a given shape (bfloat16 safetensors, bundled tokenizer).")
        {
            config, output, seed, tokenizer, maxShard, device,
        };
        command.SetAction(p =>
        {
            var shape = ModelConfig.Load(p.GetValue(config)!);
            var tokenizerFile = CliOptions.TokenizerFile(p.GetValue(tokenizer) ?? BundledTokenizer());
            if (!File.Exists(tokenizerFile)) throw new FileNotFoundException($"no tokenizer.json at {tokenizerFile}: give --tokenizer");
            var vocabulary = CodeTokenizer.Load(tokenizerFile).VocabularySize;
            if (vocabulary > shape.VocabSize)
                throw new ArgumentException($"the tokenizer has {vocabulary} tokens but vocab_size is {shape.VocabSize}: the model could not embed them all");
            var shardMb = p.GetValue(maxShard);
            if (shardMb <= 0) throw new ArgumentException($"--max-shard-mb must be more than 0 (got {shardMb})");

            var dev = DeviceSelector.Select(p.GetValue(device)!);
            random.manual_seed(p.GetValue(seed));
            if (dev.type == DeviceType.CUDA) cuda.manual_seed_all(p.GetValue(seed));
            // Created in bfloat16 on the chosen device: a 7B shape in float32 would need 28 GB before it is halved, and
            // on a GPU its random numbers take seconds where the CPU's single-threaded generator takes minutes.
            var model = new Qwen2Model(shape, dev, ScalarType.BFloat16);
            using (model)
            {
                var target = p.GetValue(output)!;
                Checkpoint.Save(model, target, ScalarType.BFloat16, (long)(shardMb * 1024 * 1024));
                File.Copy(tokenizerFile, Path.Combine(target, "tokenizer.json"), overwrite: true);
                long parameters = model.parameters().Sum(x => x.numel());
                long bytes = Directory.EnumerateFiles(target, "model*.safetensors").Sum(f => new FileInfo(f).Length);
                var shards = Directory.EnumerateFiles(target, "model*.safetensors").Count();
                Console.WriteLine($"initialised {parameters:N0} parameters (seed {p.GetValue(seed)}, drawn on {dev.type.ToString().ToLowerInvariant()}) as bfloat16 in {shards} file(s), {bytes / 1048576.0:F1} MiB → {target}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>models/tokenizer of the repository the CLI runs from (found by walking up from the executable).</summary>
    private static string BundledTokenizer()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", "tokenizer", "tokenizer.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("the bundled models/tokenizer was not found above the executable: give --tokenizer");
    }
}
