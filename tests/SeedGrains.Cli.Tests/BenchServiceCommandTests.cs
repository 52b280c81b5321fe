using System.Diagnostics;
using System.Text.Json;

namespace SeedGrains.Cli.Tests;

/// <summary>
/// `seedgrains bench service` end to end through the built CLI (a fresh process: the in-process silo, Kestrel and
/// libtorch all start there) on a tiny random model with the bundled tokenizer. Benchmarks are not tests: no timing
/// assertions, only that the run completes and reports consistent numbers.
/// </summary>
public sealed class BenchServiceCommandTests : IDisposable
{
    private static readonly string[] RequiredFields = ["service_tokens_per_s", "raw_tokens_per_s", "efficiency", "p50_ms", "p99_ms"];
    private readonly string _dir = Directory.CreateTempSubdirectory("seedgrains-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TwoSessionsPrintTheJson()
    {
        var model = TinyModel.Save(Path.Combine(_dir, "model"));
        var file = SamplePython.Write(Path.Combine(_dir, "sample.py"), seed: 0, functions: 15);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "service", "--model", model, "--sessions", "2", "--file", file, "--device", "cpu", "--seed", "3", "--json");

        Assert.True(exitCode == 0, stderr);
        // stdout is exactly one JSON object: the host's logs must have gone to stderr.
        using var json = JsonDocument.Parse(stdout.Trim());
        var root = json.RootElement;
        foreach (var field in RequiredFields)
            Assert.True(root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number, $"missing {field}: {stdout}");
        double Number(string name) => root.GetProperty(name).GetDouble();
        Assert.True(Number("service_tokens_per_s") > 0);
        Assert.True(Number("raw_tokens_per_s") > 0);
        Assert.Equal(Number("service_tokens_per_s") / Number("raw_tokens_per_s"), Number("efficiency"), 9);
        Assert.True(Number("p50_ms") > 0 && Number("p50_ms") <= Number("p99_ms"));
        Assert.Equal(2, root.GetProperty("sessions").GetInt32());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.Equal("float32", root.GetProperty("dtype").GetString());   // the service's default: batch-mates cannot change a result
        Assert.Equal("float32", root.GetProperty("service_dtype").GetString());
        Assert.True(root.GetProperty("tokens_per_round").GetInt32() >= 2 * 5, stdout);   // each region gets ≥ 1 + 4 masks
        Assert.InRange(Number("service_mean_batch"), 1, 2);
        Assert.InRange(Number("raw_mean_batch"), 1, 2);
        Assert.InRange(root.GetProperty("identical_outputs").GetInt32(), 0, root.GetProperty("outputs").GetInt32());
        Assert.True(root.GetProperty("service_steps").GetInt32() > 0 && root.GetProperty("raw_steps").GetInt32() > 0);
        foreach (var path in new[] { "service", "raw" })
        {
            Assert.True(Number($"{path}_step_p50_ms") > 0, stdout);
            Assert.True(Number($"{path}_step_p50_ms") <= Number($"{path}_step_p99_ms"), stdout);
            // A step is one stepper call inside a request: never longer than the slowest request.
            Assert.True(Number($"{path}_step_p99_ms") <= Number(path == "service" ? "p99_ms" : "raw_p99_ms"), stdout);
        }
    }

    [Fact]
    public async Task RedirectedOutputWithoutJsonIsTheTableAlone()
    {
        var model = TinyModel.Save(Path.Combine(_dir, "model"));
        var file = SamplePython.Write(Path.Combine(_dir, "sample.py"), seed: 0, functions: 15);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "service", "--model", model, "--sessions", "2", "--file", file, "--device", "cpu",
            "--seed", "3", "--warmup", "0");

        Assert.True(exitCode == 0, stderr);
        // No progress lines ("raw requests 2/2 …") and no terminal escapes: the result table from its first row on.
        Assert.StartsWith("service_tokens_per_s ", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stdout);
        Assert.DoesNotContain("requests", stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^raw_tokens_per_s +\d", stdout);
    }

    [Fact]
    public async Task AStepBudgetLimitsBothPathsToItsSteps()
    {
        var model = TinyModel.Save(Path.Combine(_dir, "model"));
        var file = SamplePython.Write(Path.Combine(_dir, "sample.py"), seed: 0, functions: 15);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "service", "--model", model, "--sessions", "2", "--file", file, "--device", "cpu",
            "--seed", "3", "--commit-rule", "topk", "--step-budget", "2", "--warmup", "0", "--rounds", "2", "--json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        var root = json.RootElement;
        Assert.Equal("TopK", root.GetProperty("commit_rule").GetString());
        Assert.Equal(2, root.GetProperty("step_budget").GetInt32());
        // Every region (≥ 5 masks) is filled in exactly the budget's two steps, by the service and the raw loop alike.
        Assert.Equal(2.0, root.GetProperty("steps_per_session_mean").GetDouble());
        Assert.Equal(2.0, root.GetProperty("raw_steps_per_session_mean").GetDouble());
        Assert.Equal(root.GetProperty("outputs").GetInt32(), root.GetProperty("identical_outputs").GetInt32());
        // Two rounds, one with each path first: both are counted, 2 sessions each.
        Assert.Equal(4, root.GetProperty("outputs").GetInt32());
        Assert.Equal(2, root.GetProperty("raw_round_seconds").GetArrayLength());
        Assert.Equal(2, root.GetProperty("service_round_seconds").GetArrayLength());
        Assert.Equal(4, root.GetProperty("raw_steps").GetInt32());               // both rows in each step, 2 steps a round
        Assert.InRange(root.GetProperty("service_steps").GetInt32(), 4, 8);      // the same, or the rows apart
    }

    [Fact]
    public async Task TheDtypeReachesTheServiceAndTheRawLoop()
    {
        var model = TinyModel.Save(Path.Combine(_dir, "model"));
        var file = SamplePython.Write(Path.Combine(_dir, "sample.py"), seed: 0, functions: 15);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "service", "--model", model, "--sessions", "2", "--file", file, "--device", "cpu",
            "--seed", "3", "--dtype", "bfloat16", "--warmup", "0", "--json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        // Each read back from its own loaded model: the raw loop's bundle and the silo's runtime.
        Assert.Equal("bfloat16", json.RootElement.GetProperty("dtype").GetString());
        Assert.Equal("bfloat16", json.RootElement.GetProperty("service_dtype").GetString());
    }

    [Theory]
    [InlineData("--commit-rule", "greedy", "--commit-rule must be confidence, topk or entropy")]
    [InlineData("--step-budget", "-1", "--step-budget must be ≥ 0")]
    [InlineData("--dtype", "float16", "expected float32 | bfloat16 | auto")]
    public async Task BadSessionSettingsAreClearErrors(string option, string value, string message)
    {
        var file = SamplePython.Write(Path.Combine(_dir, "sample.py"), seed: 0, functions: 15);
        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "service", "--model", _dir, "--sessions", "2", "--file", file, option, value, "--json");
        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task MissingFileIsAClearError()
    {
        var missing = Path.Combine(_dir, "absent.py");
        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "service", "--model", _dir, "--sessions", "2", "--file", missing, "--json");
        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("absent.py", stderr);
    }
}
