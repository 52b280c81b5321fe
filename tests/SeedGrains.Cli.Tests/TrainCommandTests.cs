using System.Text.Json.Nodes;
using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Data;
using SeedGrains.Diffusion.Runtime;
using SeedGrains.Diffusion.Tokenization;
using SeedGrains.Diffusion.Training;
using TorchSharp;

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
    public void Redirected_output_shows_no_progress_and_the_log_file_gets_every_line()
    {
        var run = Path.Combine(directory, "run");
        var (code, stdout, stderr) = Cli.Run(Tiny(ToyCorpus(), run, "diffusion"));
        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout); // no bar, no frames: the run's lines are its log, on stderr
        var logged = File.ReadAllLines(Path.Combine(run, "train.log"));
        Assert.Contains(logged, l => l.StartsWith("step 3/3 | loss ", StringComparison.Ordinal));
        Assert.Contains(logged, l => l.StartsWith("done: ", StringComparison.Ordinal));
        var shown = stderr.Split('\n').Select(l => l.TrimEnd('\r')).ToHashSet();
        Assert.All(logged, l => Assert.Contains(l, shown));
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

    [Fact]
    public void The_token_files_hold_every_document_in_corpus_order_although_tokenized_in_parallel()
    {
        var data = ToyCorpus();
        for (var i = 0; i < 200; i++) // enough documents for the parallel tokenizer to hand out several chunks
            File.WriteAllText(Path.Combine(data, $"n{i:D3}.py"), $"x{i} = [{string.Join(", ", Enumerable.Range(0, i % 17))}]\n");
        for (var i = 0; i < 5; i++) // special-token text in source files is text, not an end or a mask
            File.WriteAllText(Path.Combine(data, $"s{i}.py"), $"EOS{i} = \"<|endoftext|>\"\nMASK{i} = \"<|mask|>\"\n");
        var run = Path.Combine(directory, "run");
        var (code, _, stderr) = Cli.Run(Tiny(data, run, "ar"));
        Assert.True(code == 0, stderr);

        var tokenizer = CodeTokenizer.Load(Cli.BundledTokenizerDirectory());
        int end = tokenizer.SpecialTokenId("<|endoftext|>")!.Value;
        var expected = new CodeCorpus(new CodeCorpusOptions { Directories = [data] }).Documents(CorpusSplit.Train)
            .SelectMany(d => tokenizer.EncodeVerbatim(d.Text).Ids.Append(end)).ToArray();
        using var written = TokenFile.Open(Path.Combine(run, "train.bin"));
        var actual = new int[written.Count];
        written.Read(0, actual);
        Assert.Equal(expected, actual);
        var trainDocuments = new CodeCorpus(new CodeCorpusOptions { Directories = [data] }).Documents(CorpusSplit.Train).Count();
        Assert.Equal(trainDocuments, actual.Count(t => t == end)); // one end per document, none from the text
    }

    [Fact]
    public void Export_writes_sharded_bfloat16_weights_that_load_back_as_float32()
    {
        var run = Path.Combine(directory, "run");
        var (code, _, stderr) = Cli.Run(Tiny(ToyCorpus(), run, "ar"));
        Assert.True(code == 0, stderr);
        var exported = Path.Combine(directory, "exported");
        string stdout;
        (code, stdout, stderr) = Cli.Run(["export", "--checkpoint", Path.Combine(run, Trainer.CheckpointFolder), "--out", exported, "--max-shard-mb", "0.1"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("as BFloat16", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(exported, Checkpoint.IndexFile)), "0.1 MiB shards: an index and several files");
        Assert.True(File.Exists(Path.Combine(exported, "tokenizer.json")));
        Assert.Equal("bfloat16", (string)JsonNode.Parse(File.ReadAllText(Path.Combine(exported, Checkpoint.ConfigFile)))!["torch_dtype"]!);

        using var original = Checkpoint.Load(Path.Combine(run, Trainer.CheckpointFolder), torch.CPU);
        using var shipped = ModelBundle.Load(exported, torch.CPU);
        foreach (var (name, weight) in shipped.Model.state_dict())
        {
            Assert.Equal(torch.ScalarType.Float32, weight.dtype);
            using var rounded = original.state_dict()[name].to(torch.ScalarType.BFloat16).to(torch.ScalarType.Float32);
            Assert.True(weight.allclose(rounded, rtol: 0, atol: 0), name);
        }
    }

    [Fact]
    public void Export_refuses_to_overwrite_its_own_checkpoint()
    {
        var run = Path.Combine(directory, "run");
        Assert.Equal(0, Cli.Run(Tiny(ToyCorpus(), run, "ar")).ExitCode);
        var checkpoint = Path.Combine(run, Trainer.CheckpointFolder);
        foreach (var output in new[] { checkpoint, checkpoint + Path.DirectorySeparatorChar })
        {
            var (code, _, stderr) = Cli.Run(["export", "--checkpoint", checkpoint, "--out", output]);
            Assert.Equal(1, code);
            Assert.Contains("is a training checkpoint: export to another folder", stderr, StringComparison.Ordinal);
        }
        // The checkpoint is intact: still float32, still resumable.
        Assert.Equal("float32", (string)JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, Checkpoint.ConfigFile)))!["torch_dtype"]!);
    }
}
