using System.Diagnostics;

namespace SeedGrains.Cli.Tests;

/// <summary>The built `seedgrains` executable, run as a user runs it, and the repository's bundled files.</summary>
internal static class Cli
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "seedgrains.dll");
        Assert.True(File.Exists(dll), dll);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"seedgrains {string.Join(' ', args)} ran over 180 s; stderr: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunAsync(args).GetAwaiter().GetResult();

    /// <summary>models/tokenizer of the repository the tests were built from.</summary>
    public static string BundledTokenizerDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", "tokenizer");
            if (File.Exists(Path.Combine(candidate, "tokenizer.json"))) return candidate;
        }
        throw new DirectoryNotFoundException("models/tokenizer/tokenizer.json not found above " + AppContext.BaseDirectory);
    }
}
