using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using SeedGrains.Cli.Commands;

namespace SeedGrains.Cli.Tests.Commands;

/// <summary>`seedgrains verify` on the HF fixture: in-process through the command, and the built CLI end to end.</summary>
public sealed class VerifyCommandTests
{
    private const double Tolerance = 1e-4;
    private static readonly string FixtureDir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf-qwen2-tiny");
    private static readonly string ReferencePath = Path.Combine(FixtureDir, "reference.safetensors");
    private static readonly string[] Keys = ["causal_max_abs_diff", "bidirectional_max_abs_diff", "keymask_max_abs_diff"];

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var root = new RootCommand { VerifyCommand.Create() };
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static void AssertParityJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(Keys, names);
        foreach (var key in Keys)
        {
            var value = document.RootElement.GetProperty(key).GetDouble();
            Assert.True(value >= 0 && value <= Tolerance, $"{key} = {value}");
        }
    }

    [Fact]
    public void JsonReportsThreeDiffsWithinTolerance()
    {
        var (exitCode, output, error) = Run("verify", "--model", FixtureDir, "--reference", ReferencePath, "--json", "--device", "cpu");
        Assert.True(exitCode == 0, error);
        AssertParityJson(output.Trim());
    }

    [Fact]
    public void TableIsReadable()
    {
        var (exitCode, output, error) = Run("verify", "--model", FixtureDir, "--reference", ReferencePath);
        Assert.True(exitCode == 0, error);
        Assert.Contains("causal", output);
        Assert.Contains("bidirectional + key mask", output);
        Assert.Contains("[2 x 24 x 512]", output);
    }

    [Fact]
    public void WrongReferenceIsAClearError()
    {
        // The model's own weights file is not a reference file: the missing tensor is named, exit code 1.
        var (exitCode, _, error) = Run("verify", "--model", FixtureDir, "--reference", Path.Combine(FixtureDir, "model.safetensors"), "--json");
        Assert.Equal(1, exitCode);
        Assert.Contains("'input_ids'", error);
    }

    [Fact]
    public void MissingModelIsAClearError()
    {
        var (exitCode, _, error) = Run("verify", "--model", Path.Combine(FixtureDir, "absent"), "--reference", ReferencePath);
        Assert.Equal(1, exitCode);
        Assert.Contains("absent", error);
    }

    [Fact]
    public void BuiltCliPrintsTheJson()
    {
        // The real executable: Program.cs registers the command, the patched libtorch loads in a fresh process.
        var dll = Path.Combine(AppContext.BaseDirectory, "seedgrains.dll");
        Assert.True(File.Exists(dll), dll);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { dll, "verify", "--model", FixtureDir, "--reference", ReferencePath, "--json" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "seedgrains verify did not finish in 120 s");
        Assert.True(process.ExitCode == 0, stderr.Result);
        AssertParityJson(stdout.Result.Trim());
    }
}
