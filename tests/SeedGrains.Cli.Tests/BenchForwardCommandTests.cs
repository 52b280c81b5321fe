using System.Text.Json;
using SeedGrains.Diffusion.Model;

namespace SeedGrains.Cli.Tests;

/// <summary>`seedgrains bench forward` through the built CLI on tiny random models: the JSON fields and clear errors. No timing assertions.</summary>
public sealed class BenchForwardCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("seedgrains-bench-forward-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(AttentionMode.Bidirectional, "bidirectional")]
    [InlineData(AttentionMode.Causal, "causal")]
    public async Task ReportsOneStepTimePerWidth(AttentionMode attention, string expected)
    {
        var model = TinyModel.Save(Path.Combine(_dir, "model"), attention);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "forward", "--model", model, "--context", "30", "--widths", "1, 5,2",
            "--repeats", "2", "--threads", "1", "--dtype", "float32", "--json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        var root = json.RootElement;
        Assert.Equal(expected, root.GetProperty("attention").GetString());
        Assert.Equal(30, root.GetProperty("context").GetInt32());
        Assert.Equal([1, 5, 2], root.GetProperty("widths").EnumerateArray().Select(w => w.GetInt32()));
        var steps = root.GetProperty("step_ms").EnumerateArray().Select(s => s.GetDouble()).ToArray();
        Assert.Equal(3, steps.Length);
        Assert.All(steps, ms => Assert.True(ms > 0, stdout));
        Assert.True(root.GetProperty("context_forward_ms").GetDouble() > 0, stdout);
        Assert.Equal("float32", root.GetProperty("dtype").GetString());
    }

    [Theory]
    [InlineData("1,x", "--widths must be positive integers separated by commas, not '1,x'")]
    [InlineData("0", "--widths must be positive integers separated by commas, not '0'")]
    public async Task BadWidthsAreAClearError(string widths, string message)
    {
        var model = TinyModel.Save(Path.Combine(_dir, "model"));

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "forward", "--model", model, "--widths", widths, "--json");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains(message, stderr);
    }
}
