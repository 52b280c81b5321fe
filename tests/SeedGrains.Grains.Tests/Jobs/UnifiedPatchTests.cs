using System.Diagnostics;
using SeedGrains.Grains.Jobs;

namespace SeedGrains.Grains.Tests.Jobs;

/// <summary>The patch is checked by git itself: <c>git apply --check</c>, then applied and compared.</summary>
public sealed class UnifiedPatchTests
{
    [Fact]
    public void Equal_texts_give_no_patch() => Assert.Equal("", UnifiedPatch.For("a.py", "x\n", "x\n"));

    [Fact]
    public void A_change_is_laid_out_as_a_unified_hunk()
    {
        var patch = UnifiedPatch.For("pkg/a.py", "1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nFIVE\n6\n7\n8\n");
        Assert.Equal("diff --git a/pkg/a.py b/pkg/a.py\n--- a/pkg/a.py\n+++ b/pkg/a.py\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n", patch);
    }

    public static TheoryData<string, string> Changes => new()
    {
        { "a\nb\nc\n", "a\nB\nc\n" },
        { "", "new file body\n" },
        { "only line", "only line\n" },
        { "ends\nwithout", "ends\nwithout break\nadded" },
        { "x\r\ny\r\n", "x\r\nY\r\n" },
        { string.Concat(Enumerable.Range(0, 40).Select(i => $"line {i}\n")), string.Concat(Enumerable.Range(0, 40).Select(i => i is 3 or 9 or 30 ? $"changed {i}\n" : i == 20 ? "" : $"line {i}\n")) + "tail\n" },
        { "a\nb\nc\nd\n", "" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Git_applies_the_patch_and_gets_the_new_text(string before, string after)
    {
        var dir = Directory.CreateTempSubdirectory("patch-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "src"));
            var file = Path.Combine(dir.FullName, "src", "m.py");
            await File.WriteAllTextAsync(file, before);
            var patchFile = Path.Combine(dir.FullName, "changes.patch");
            await File.WriteAllTextAsync(patchFile, UnifiedPatch.For("src/m.py", before, after));
            await Git(dir.FullName, "apply", "--check", "changes.patch");
            await Git(dir.FullName, "apply", "changes.patch");
            Assert.Equal(after, await File.ReadAllTextAsync(file));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    internal static async Task Git(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = workingDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var git = Process.Start(start)!;
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)} failed: {error}");
    }
}
