using System.Text;

namespace SeedGrains.Cli.Tests;

/// <summary>Small Python files for the `lines` task: ~40 lines, so a 1–3-line span has context on both sides.</summary>
internal static class SamplePython
{
    public static void Write(string path, int seed)
    {
        var text = new StringBuilder();
        for (var i = 0; i < 10; i++)
        {
            text.Append($"def function_{seed}_{i}(value, scale={i + 1}):\n");
            text.Append($"    total = value * scale + {i + seed}\n");
            text.Append("    return total if total > 0 else -total\n");
            text.Append('\n');
        }
        File.WriteAllText(path, text.ToString());
    }
}
