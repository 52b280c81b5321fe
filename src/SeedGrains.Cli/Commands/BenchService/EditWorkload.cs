using System.Diagnostics;

namespace SeedGrains.Cli.Commands.BenchService;

/// <summary>One session's request: rewrite the 3-line range [Start, End) of a source file.</summary>
internal sealed record EditCase(string Source, string Text, int Start, int End)
{
    public string Prefix => Text[..Start];
    public string Replaced => Text[Start..End];
    public string Suffix => Text[End..];
}

/// <summary>
/// The benchmark's requests, deterministic by seed: N real Python files of about 300 lines (or one given file), and in
/// each a span of 3 consecutive non-blank lines (whole lines, indentation included, without the last newline).
/// </summary>
internal static class EditWorkload
{
    public const int RegionLines = 3;
    const int MinLines = 250, MaxLines = 350;

    public static IReadOnlyList<EditCase> Build(int sessions, int seed, string? file, string? dataDirectory)
    {
        if (sessions < 1) throw new ArgumentException($"--sessions must be ≥ 1, not {sessions}");
        var random = new Random(seed);
        IReadOnlyList<string> sources;
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"--file {file} does not exist", file);
            sources = [file];
        }
        else
        {
            var directory = dataDirectory ?? PythonStdlib();
            if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"--data {directory} does not exist");
            var candidates = Directory.EnumerateFiles(directory, "*.py", SearchOption.TopDirectoryOnly)
                .Where(f => File.ReadLines(f).Count() is >= MinLines and <= MaxLines)
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (candidates.Length == 0)
                throw new InvalidOperationException($"{directory} has no *.py file of {MinLines}..{MaxLines} lines; pass --file or --data");
            random.Shuffle(candidates);
            sources = candidates;
        }
        var cases = new List<EditCase>(sessions);
        for (var i = 0; i < sessions; i++)
        {
            var source = sources[i % sources.Count];
            cases.Add(PickRegion(source, File.ReadAllText(source), random));
        }
        return cases;
    }

    static EditCase PickRegion(string source, string text, Random random)
    {
        // Line i spans [starts[i], ends[i]) without its newline.
        var starts = new List<int> { 0 };
        var ends = new List<int>();
        for (var c = 0; c < text.Length; c++)
        {
            if (text[c] != '\n') continue;
            ends.Add(c);
            starts.Add(c + 1);
        }
        ends.Add(text.Length);
        var firstLines = Enumerable.Range(0, starts.Count - RegionLines + 1)
            .Where(i => Enumerable.Range(i, RegionLines).All(l => !string.IsNullOrWhiteSpace(text[starts[l]..ends[l]])))
            .ToArray();
        if (firstLines.Length == 0)
            throw new InvalidOperationException($"{source} has no {RegionLines} consecutive non-blank lines to rewrite");
        var first = firstLines[random.Next(firstLines.Length)];
        return new EditCase(source, text, starts[first], ends[first + RegionLines - 1]);
    }

    /// <summary>The Python standard library's directory, as the installed python3 reports it.</summary>
    static string PythonStdlib()
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", "import sysconfig;print(sysconfig.get_paths()['stdlib'])" }) start.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(start)!;
            var path = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            if (process.ExitCode == 0 && Directory.Exists(path)) return path;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No python3 on PATH: fall through to the error below.
        }
        throw new InvalidOperationException("could not locate the Python standard library (python3 not found); pass --file or --data");
    }
}
