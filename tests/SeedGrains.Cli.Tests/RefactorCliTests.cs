using System.Diagnostics;
using System.Text.Json;

namespace SeedGrains.Cli.Tests;

/// <summary>`seedgrains refactor` against the real host (embedded defaults, fake model): upload, follow, patch, re-attach.</summary>
public sealed class RefactorCliTests(AdminCliHost host) : IClassFixture<AdminCliHost>, IDisposable
{
    private const string Key = "cli-dev-key-0123456789";
    private readonly DirectoryInfo _tree = Directory.CreateTempSubdirectory("refactor-cli-");

    public void Dispose() => _tree.Delete(recursive: true);

    private void Write(string path, string text)
    {
        var full = Path.Combine(_tree.FullName, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    [Fact]
    public async Task It_uploads_the_matching_files_and_writes_a_patch_git_applies()
    {
        Write("src/pkg/a.py", "def a():\n    return 1  # TODO(rewrite)\n");
        Write("src/pkg/b.py", "def b():\n    pass\n");
        Write("src/c.py", "x = 1  # TODO(rewrite)\ny = 2\n");
        Write("notes.txt", "x  # TODO(rewrite)\n");
        var patch = Path.Combine(_tree.FullName, "changes.patch");

        var (code, stdout, stderr) = await Cli.RunAsync("refactor", "--server", host.Url, "--key", Key, "--root", _tree.FullName,
            "--glob", "src/**/*.py", "--select", "todo", "--concurrency", "2", "--out", patch, "--json");

        Assert.True(code == 0, stderr);
        var job = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(("succeeded", 3, 2, 2), (job.GetProperty("status").GetString(), job.GetProperty("filesUploaded").GetInt32(),
            job.GetProperty("filesTotal").GetInt32(), job.GetProperty("filesChanged").GetInt32()));
        var id = job.GetProperty("id").GetString()!;
        Assert.Contains($"--job {id}", stderr);
        var text = await File.ReadAllTextAsync(patch);
        Assert.Contains("--- a/src/pkg/a.py", text);
        Assert.DoesNotContain("b.py", text);
        await Git(_tree.FullName, "apply", "--check", patch);

        // Re-attaching to the finished job writes the same patch.
        var again = Path.Combine(_tree.FullName, "again.patch");
        var reattached = await Cli.RunAsync("refactor", "--server", host.Url, "--key", Key, "--job", id, "--out", again);
        Assert.True(reattached.ExitCode == 0, reattached.Stderr);
        Assert.Equal(text, await File.ReadAllTextAsync(again));
        Assert.Contains("succeeded: 2 of 2 files (0 failed)", reattached.Stdout);
    }

    [Fact]
    public async Task Errors_are_one_line_with_the_servers_detail()
    {
        Write("a.py", "x = 1\n");
        var (code, _, stderr) = await Cli.RunAsync("refactor", "--server", host.Url, "--key", Key, "--root", _tree.FullName,
            "--select", "regex:(", "--out", Path.Combine(_tree.FullName, "p.patch"));
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains("HTTP 400", stderr);
    }

    private static async Task Git(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var git = Process.Start(start)!;
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, error);
    }
}
