using System.Text.Json;
using SeedGrains.Diffusion.Model;

namespace SeedGrains.Cli.Tests;

/// <summary>
/// `seedgrains bench decode` end to end through the built CLI on tiny random models (a bidirectional one and a causal
/// one) with the bundled tokenizer: the JSON contract (docs/benchmarks.md) and numbers that agree with each other. No timing
/// assertions: benchmarks are not tests.
/// </summary>
public sealed class BenchDecodeCommandTests : IDisposable
{
    private static readonly string[] ContractFields = ["diffusion_tokens_per_s", "ar_tokens_per_s", "speedup", "diffusion_exact_match", "ar_exact_match"];
    private readonly string _dir = Directory.CreateTempSubdirectory("seedgrains-bench-decode-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task PrintsTheContractAndTheCeiling()
    {
        var diffusion = TinyModel.Save(Path.Combine(_dir, "diffusion"));
        var ar = TinyModel.Save(Path.Combine(_dir, "ar"), AttentionMode.Causal, seed: 11);
        var data = SamplePython.Folder(_dir, files: 3);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "decode", "--model", diffusion, "--ar-model", ar, "--data", data,
            "--max-files", "3", "--seed", "1", "--threads", "1", "--json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        var root = json.RootElement;
        foreach (var field in ContractFields)
            Assert.True(root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number, $"missing {field}: {stdout}");
        double Number(string name) => root.GetProperty(name).GetDouble();
        Assert.Equal(3, root.GetProperty("spans").GetInt32());
        Assert.Equal(Number("diffusion_generated_tokens") / Number("diffusion_seconds"), Number("diffusion_tokens_per_s"), 6);
        Assert.Equal(Number("ar_generated_tokens") / Number("ar_seconds"), Number("ar_tokens_per_s"), 6);
        Assert.Equal(Number("diffusion_tokens_per_s") / Number("ar_tokens_per_s"), Number("speedup"), 6);
        // A random model emits at least one token somewhere, so both sides have a rate.
        Assert.True(Number("diffusion_generated_tokens") > 0 && Number("ar_generated_tokens") > 0, stdout);
        Assert.InRange(Number("diffusion_exact_match"), 0, 1);
        Assert.InRange(Number("ar_exact_match"), 0, 1);
        Assert.InRange(Number("diffusion_edit_similarity"), 0, 1);
        Assert.InRange(Number("ar_edit_similarity"), 0, 1);
        // The AR model forwards once per token, its prompt included (a span ended by the cap makes one forward fewer).
        Assert.InRange(Number("ar_steps_per_token"), 0.5, 2);
        Assert.True(Number("ar_prompt_seconds") > 0, stdout);
        // Every span's budget counts (≥ 5 masks each), and no decoder emits more than its budget.
        Assert.True(Number("budget_tokens") >= 3 * 5 && Number("diffusion_generated_tokens") <= Number("budget_tokens"), stdout);
        Assert.Equal(Number("budget_tokens") / Number("ar_prompt_seconds") / Number("ar_tokens_per_s"), Number("speedup_ceiling"), 6);
        // The speed defaults (docs/benchmarks.md), not eval's quality defaults.
        Assert.StartsWith("topk max_steps=2 block=0 ", root.GetProperty("policy").GetString());
    }

    [Fact]
    public async Task BodiesReportsBothModelsParseRateOnTheSameBodies()
    {
        var diffusion = TinyModel.Save(Path.Combine(_dir, "diffusion"));
        var ar = TinyModel.Save(Path.Combine(_dir, "ar"), AttentionMode.Causal, seed: 11);
        var data = SamplePython.BodiesFolder(_dir, files: 2);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "decode", "--model", diffusion, "--ar-model", ar, "--data", data,
            "--task", "bodies", "--max-files", "2", "--seed", "1", "--threads", "1", "--json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        var root = json.RootElement;
        foreach (var field in ContractFields)
            Assert.True(root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number, $"missing {field}: {stdout}");
        Assert.Equal("bodies", root.GetProperty("task").GetString());
        Assert.Equal((2, 2), (root.GetProperty("files").GetInt32(), root.GetProperty("spans").GetInt32()));
        // Two bodies: each model's parse rate is a count of them.
        Assert.Contains(root.GetProperty("diffusion_parse_rate").GetDouble(), new[] { 0, 0.5, 1 });
        Assert.Contains(root.GetProperty("ar_parse_rate").GetDouble(), new[] { 0, 0.5, 1 });
        Assert.InRange(root.GetProperty("diffusion_edit_similarity").GetDouble(), 0, 1);
        // A body of 32–256 tokens gets the lines budget rule: at least 32 + 8 masks.
        Assert.True(root.GetProperty("budget_tokens").GetInt32() >= 2 * 40, stdout);
        // Bodies have their own speed defaults, chosen on the dev set by parse rate (docs/benchmarks.md).
        Assert.StartsWith("confidence τ=0.5 max_steps=64 block=32 ", root.GetProperty("policy").GetString());
    }

    [Fact]
    public async Task OptionsTheUserSetsOverrideTheBodiesDefaultsOneByOne()
    {
        var diffusion = TinyModel.Save(Path.Combine(_dir, "diffusion"));
        var ar = TinyModel.Save(Path.Combine(_dir, "ar"), AttentionMode.Causal, seed: 11);
        var data = SamplePython.BodiesFolder(_dir, files: 1);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "decode", "--model", diffusion, "--ar-model", ar, "--data", data,
            "--task", "bodies", "--max-files", "1", "--seed", "1", "--threads", "1", "--json", "--policy", "topk", "--max-steps", "4");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        // The two options given win; the block size not given stays the bodies default.
        Assert.StartsWith("topk max_steps=4 block=32 ", json.RootElement.GetProperty("policy").GetString());
    }

    [Fact]
    public async Task LinesHasNoParseRateAndAnUnknownTaskIsAClearError()
    {
        var diffusion = TinyModel.Save(Path.Combine(_dir, "diffusion"));
        var ar = TinyModel.Save(Path.Combine(_dir, "ar"), AttentionMode.Causal, seed: 11);
        var data = SamplePython.Folder(_dir, files: 1);
        string[] arguments = ["bench", "decode", "--model", diffusion, "--ar-model", ar, "--data", data, "--max-files", "1", "--threads", "1", "--json"];

        var (exitCode, stdout, stderr) = await Cli.RunAsync(arguments);

        Assert.True(exitCode == 0, stderr);
        using (var json = JsonDocument.Parse(stdout.Trim()))
        {
            Assert.Equal("lines", json.RootElement.GetProperty("task").GetString());
            Assert.False(json.RootElement.TryGetProperty("diffusion_parse_rate", out _), stdout);
        }

        (exitCode, stdout, stderr) = await Cli.RunAsync([.. arguments, "--task", "loss"]);

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("--task must be lines or bodies, not 'loss'", stderr);
    }

    [Fact]
    public async Task BothModelsComputeInTheDtypeAsked()
    {
        var diffusion = TinyModel.Save(Path.Combine(_dir, "diffusion"));
        var ar = TinyModel.Save(Path.Combine(_dir, "ar"), AttentionMode.Causal, seed: 11);
        var data = SamplePython.Folder(_dir, files: 1);
        string[] arguments = ["bench", "decode", "--model", diffusion, "--ar-model", ar, "--data", data, "--max-files", "1", "--threads", "1", "--json"];

        var (exitCode, stdout, stderr) = await Cli.RunAsync([.. arguments, "--dtype", "bfloat16"]);

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        Assert.Equal("bfloat16", json.RootElement.GetProperty("dtype").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("spans").GetInt32());

        (exitCode, stdout, stderr) = await Cli.RunAsync([.. arguments, "--dtype", "float16"]);

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("expected float32 | bfloat16 | auto", stderr);
    }

    [Fact]
    public async Task SwappedModelsAreAClearError()
    {
        var diffusion = TinyModel.Save(Path.Combine(_dir, "diffusion"));
        var data = SamplePython.Folder(_dir, files: 1);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "decode", "--model", diffusion, "--ar-model", diffusion, "--data", data, "--max-files", "1", "--json");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("is not a causal (AR) model", stderr);
    }
}
