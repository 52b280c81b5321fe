using System.Text.Json;

namespace SeedGrains.Cli.Tests;

/// <summary>`seedgrains eval --task lines|bodies` end to end through the built CLI on a tiny random model.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("seedgrains-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>`eval --task lines` of a tiny model over <paramref name="files"/> sample files, with extra arguments.</summary>
    private Task<(int ExitCode, string Stdout, string Stderr)> EvalLines(int files, params string[] extra)
    {
        var model = TinyModel.Save(Path.Combine(_dir, "model"));
        var data = SamplePython.Folder(_dir, files);
        return Cli.RunAsync(["eval", "--model", model, "--data", data, "--task", "lines", "--max-files", $"{files}", .. extra, "--json"]);
    }

    [Fact]
    public async Task LinesUsesTheQualityDefaultsAndReportsEditSimilarity()
    {
        var (exitCode, stdout, stderr) = await EvalLines(files: 2, "--seed", "1", "--threads", "1");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("spans").GetInt32());
        Assert.InRange(root.GetProperty("edit_similarity").GetDouble(), 0, 1);
        // eval decodes for quality (models/diffusion/TRAINING.md), unlike bench decode's speed defaults.
        Assert.StartsWith("confidence τ=0.9 max_steps=64 block=8 ", root.GetProperty("policy").GetString());
        // Plain UTF-8 in the JSON itself (not "\u03C4"), and nothing but the JSON on redirected stdout (no progress).
        Assert.Contains("\"confidence τ=0.9", stdout, StringComparison.Ordinal);
        Assert.StartsWith("{", stdout.TrimStart(), StringComparison.Ordinal);
        // Quality is measured in full precision unless --dtype asks otherwise.
        Assert.Equal("float32", root.GetProperty("dtype").GetString());
    }

    [Theory]
    [InlineData("diffusion")]
    [InlineData("ar")]
    public async Task BodiesReportsTheParseRateBesideExactMatchAndEditSimilarity(string kind)
    {
        var model = TinyModel.Save(Path.Combine(_dir, "model"), kind == "ar" ? Diffusion.Model.AttentionMode.Causal : Diffusion.Model.AttentionMode.Bidirectional);
        var data = SamplePython.BodiesFolder(_dir, files: 2);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("eval", "--model", model, "--data", data, "--task", "bodies", "--max-files", "2",
            "--spans-per-file", "2", "--seed", "1", "--threads", "1", "--json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        var root = json.RootElement;
        Assert.Equal(("bodies", kind), (root.GetProperty("task").GetString(), root.GetProperty("kind").GetString()));
        Assert.Equal((2, 0, 4), (root.GetProperty("files").GetInt32(), root.GetProperty("files_unparsed").GetInt32(), root.GetProperty("spans").GetInt32()));
        Assert.InRange(root.GetProperty("edit_similarity").GetDouble(), 0, 1);
        var parsed = root.GetProperty("parsed").GetInt32();
        Assert.InRange(parsed, 0, 4);
        Assert.Equal(parsed / 4.0, root.GetProperty("parse_rate").GetDouble(), 12);
    }

    [Fact]
    public async Task AnUnknownTaskIsAClearError()
    {
        var model = TinyModel.Save(Path.Combine(_dir, "model"));
        var data = SamplePython.Folder(_dir, files: 1);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("eval", "--model", model, "--data", data, "--task", "words", "--json");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("--task must be lines, bodies or loss, not 'words'", stderr);
    }

    [Fact]
    public async Task SamplingTakesATemperatureAndASamplingSeedBesideTheFileSeed()
    {
        // --seed picks the files; --sampling-seed seeds the sampling (a session's decoding.seed), so both can be given.
        var (exitCode, stdout, stderr) = await EvalLines(files: 2, "--seed", "1", "--threads", "1", "--temperature", "0.7", "--sampling-seed", "3");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        Assert.StartsWith("confidence τ=0.9 temperature=0.7 sampling_seed=3 max_steps=64 ", json.RootElement.GetProperty("policy").GetString());
    }

    [Fact]
    public async Task TheModelComputesInTheDtypeAsked()
    {
        var (exitCode, stdout, stderr) = await EvalLines(files: 1, "--threads", "1", "--dtype", "bf16");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        Assert.Equal("bfloat16", json.RootElement.GetProperty("dtype").GetString());   // read back from the loaded weights
        Assert.Equal(1, json.RootElement.GetProperty("spans").GetInt32());
    }

    [Fact]
    public async Task AStepBudgetBelowOneIsAClearError()
    {
        var (exitCode, stdout, stderr) = await EvalLines(files: 1, "--max-steps", "0");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("--max-steps must be at least 1", stderr);
    }
}
