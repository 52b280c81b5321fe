using System.Text.Json.Nodes;

namespace SeedGrains.Cli.Tests;

/// <summary>`seedgrains train` as the real executable: the AR → shifted-diffusion recipe (Dream) on a toy corpus.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("seedgrains-cli-train-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string ToyCorpus()
    {
        var data = Path.Combine(directory, "data");
        Directory.CreateDirectory(data);
        for (var i = 0; i < 40; i++)
            File.WriteAllText(Path.Combine(data, $"m{i}.py"), $"def f{i}(self, value):\n    return self.value + {i}\n\n\nclass C{i}:\n    pass\n");
        return data;
    }

    private static string[] Tiny(string data, string output, string objective) =>
    [
        "train", "--data", data, "--tokenizer", Cli.BundledTokenizerDirectory(), "--out", output, "--objective", objective, "--steps", "3",
        "--seq-len", "32", "--batch-size", "2", "--hidden", "32", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--ffn", "64",
        "--warmup", "1", "--threads", "1", "--device", "cpu",
    ];

    [Fact]
    public void An_AR_checkpoint_becomes_a_shifted_bidirectional_diffusion_model()
    {
        var data = ToyCorpus();
        var ar = Path.Combine(directory, "ar");
        var (code, _, stderr) = Cli.Run(Tiny(data, ar, "ar"));
        Assert.True(code == 0, stderr);

        var diffusion = Path.Combine(directory, "diffusion");
        (code, _, stderr) = Cli.Run([.. Tiny(data, diffusion, "diffusion"), "--init", Path.Combine(ar, "checkpoint"), "--shifted"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("Causal → Bidirectional, shifted", stderr, StringComparison.Ordinal);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(diffusion, "checkpoint", "config.json")))!;
        Assert.True((bool)config["shifted"]!);
        Assert.Equal("bidirectional", (string)config["attention"]!);
    }

    [Fact]
    public void Shifted_is_refused_for_the_AR_objective()
    {
        var (code, stdout, stderr) = Cli.Run([.. Tiny(ToyCorpus(), Path.Combine(directory, "bad"), "ar"), "--shifted"]);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("--shifted applies to --objective diffusion only", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr);
    }
}
