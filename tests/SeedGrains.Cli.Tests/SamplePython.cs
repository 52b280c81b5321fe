using System.Text;

namespace SeedGrains.Cli.Tests;

/// <summary>Small Python files for the `lines` task and the service benchmark: 4 lines per function, so a 1–3-line span
/// has context on both sides.</summary>
internal static class SamplePython
{
    /// <summary>Writes <paramref name="functions"/> small functions (names and constants vary with <paramref name="seed"/>); returns the path.</summary>
    public static string Write(string path, int seed, int functions = 10)
    {
        var text = new StringBuilder();
        for (var i = 0; i < functions; i++)
        {
            text.Append($"def function_{seed}_{i}(value, scale={i + 1}):\n");
            text.Append($"    total = value * scale + {i + seed}\n");
            text.Append("    return total if total > 0 else -total\n");
            text.Append('\n');
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>A folder <c>data</c> under <paramref name="parent"/> with <paramref name="files"/> such files; returns its path.</summary>
    public static string Folder(string parent, int files)
    {
        var data = Directory.CreateDirectory(Path.Combine(parent, "data")).FullName;
        for (var f = 0; f < files; f++) Write(Path.Combine(data, $"module_{f}.py"), f);
        return data;
    }

    /// <summary>
    /// A folder <c>bodies</c> under <paramref name="parent"/> with <paramref name="files"/> files of three functions whose
    /// bodies (6 lines, a docstring above them) fall inside the `bodies` task's 32–256 tokens; returns its path.
    /// </summary>
    public static string BodiesFolder(string parent, int files)
    {
        var data = Directory.CreateDirectory(Path.Combine(parent, "bodies")).FullName;
        for (var f = 0; f < files; f++)
        {
            var text = new StringBuilder("import math\n\n");
            for (var i = 0; i < 3; i++)
            {
                text.Append($"def scaled_{f}_{i}(values, scale={i + 2}):\n");
                text.Append("    \"\"\"Scale the values and sum them.\"\"\"\n");
                text.Append("    total = 0\n");
                text.Append("    for value in values:\n");
                text.Append($"        total += math.floor(value * scale) + {f + i}\n");
                text.Append("    if total < 0:\n");
                text.Append("        return -total\n");
                text.Append("    return total\n\n\n");
            }
            File.WriteAllText(Path.Combine(data, $"module_{f}.py"), text.ToString());
        }
        return data;
    }
}
