using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Runtime;
using static TorchSharp.torch;

namespace SeedGrains.Cli.Tests;

/// <summary>`seedgrains init` as the real executable, on the tiny shape shipped in deploy/gpu/shapes.</summary>
public sealed class InitCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("seedgrains-cli-init-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string TinyShape() => Path.Combine(Cli.BundledTokenizerDirectory(), "..", "..", "deploy", "gpu", "shapes", "tiny.json");

    private async Task<string> Init(string name, int seed, string shardMb = "0.5", params string[] more)
    {
        var output = Path.Combine(_directory, name);
        var (exitCode, stdout, stderr) = await Cli.RunAsync(["init", "--config", TinyShape(), "--out", output, "--seed", $"{seed}", "--max-shard-mb", shardMb, .. more]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("bfloat16", stdout, StringComparison.Ordinal);
        return output;
    }

    [Fact]
    public async Task Writes_a_sharded_bfloat16_model_folder_that_loads_and_serves_the_bundled_tokenizer()
    {
        var folder = await Init("a", seed: 3);
        Assert.True(File.Exists(Path.Combine(folder, Checkpoint.IndexFile)));
        Assert.True(Directory.GetFiles(folder, "model-*-of-*.safetensors").Length > 1, "more than 0.5 MiB of weights must be sharded");
        Assert.Equal(File.ReadAllText(Path.Combine(Cli.BundledTokenizerDirectory(), "tokenizer.json")), File.ReadAllText(Path.Combine(folder, "tokenizer.json")));
        Assert.Contains("\"dtype\": \"bfloat16\"", File.ReadAllText(Path.Combine(folder, "config.json")), StringComparison.Ordinal);

        using var bundle = ModelBundle.Load(folder, CPU, ScalarType.Float32);
        Assert.Equal(64, bundle.Model.Config.HiddenSize);
        Assert.False(bundle.IsAutoregressive);
        Assert.True(bundle.Tokenizer.VocabularySize <= bundle.Model.Config.VocabSize);
    }

    [Fact]
    public async Task The_seed_decides_the_weights()
    {
        var first = await Init("first", seed: 7, shardMb: "100");
        var again = await Init("again", seed: 7, shardMb: "100");
        var other = await Init("other", seed: 8, shardMb: "100");
        var weights = (string folder) => File.ReadAllBytes(Path.Combine(folder, "model.safetensors"));
        Assert.Equal(weights(first), weights(again));
        Assert.NotEqual(weights(first), weights(other));
    }

    [Fact]
    public async Task The_device_option_draws_there_and_cpu_is_the_default()
    {
        var byDefault = await Init("default", seed: 4, shardMb: "100");
        var onCpu = await Init("cpu", seed: 4, shardMb: "100", "--device", "cpu");
        Assert.Equal(File.ReadAllBytes(Path.Combine(byDefault, "model.safetensors")), File.ReadAllBytes(Path.Combine(onCpu, "model.safetensors")));

        var (exitCode, _, stderr) = await Cli.RunAsync("init", "--config", TinyShape(), "--out", Path.Combine(_directory, "bad"), "--device", "tpu");
        Assert.Equal(1, exitCode);
        Assert.Contains("tpu", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vocabulary_smaller_than_the_tokenizer_is_refused()
    {
        var shape = Path.Combine(_directory, "small-vocab.json");
        File.WriteAllText(shape, File.ReadAllText(TinyShape()).Replace("\"vocab_size\": 8192", "\"vocab_size\": 100", StringComparison.Ordinal));
        var (exitCode, _, stderr) = await Cli.RunAsync("init", "--config", shape, "--out", Path.Combine(_directory, "x"));
        Assert.Equal(1, exitCode);
        Assert.Contains("vocab_size is 100", stderr, StringComparison.Ordinal);
    }
}
