using System.Text;

namespace SeedGrains.Diffusion.Evaluation;

/// <summary>
/// The `lines` task of DESIGN.md: from each file, seeded spans of 1–3 consecutive non-blank lines (each line with
/// its newline). Files are listed recursively (*.py), sorted, shuffled by the seed and taken in that order until
/// <c>maxFiles</c> files with an eligible span are found; files that are not valid UTF-8 are skipped and counted.
/// </summary>
public static class LinesTask
{
    public const int ContextTokens = 256;

    public sealed record Sample(IReadOnlyList<InfillCase> Cases, int FilesUsed, int FilesSkipped);

    public static Sample Build(string dataDirectory, int maxFiles, int seed, int spansPerFile = 1, string pattern = "*.py")
    {
        var rng = new Random(seed);
        var files = DataFiles.Shuffled(dataDirectory, pattern, rng);
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var cases = new List<InfillCase>();
        int used = 0, skipped = 0;
        foreach (var file in files)
        {
            if (used >= maxFiles) break;
            string text;
            try { text = strict.GetString(File.ReadAllBytes(file)); }
            catch (DecoderFallbackException) { skipped++; continue; }
            var picked = PickSpans(text, spansPerFile, rng);
            if (picked.Count == 0) continue;
            used++;
            foreach (var (firstLine, start, end) in picked)
                cases.Add(new InfillCase(Path.GetRelativePath(dataDirectory, file), firstLine, text[..start], text[start..end], text[end..]));
        }
        return new Sample(cases, used, skipped);
    }

    /// <summary>Up to <paramref name="count"/> non-overlapping spans (first line index, char start, char end).</summary>
    static List<(int FirstLine, int Start, int End)> PickSpans(string text, int count, Random rng)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n' && i + 1 < text.Length) starts.Add(i + 1);
        int lineCount = starts.Count;
        int LineEnd(int line) => line + 1 < lineCount ? starts[line + 1] : text.Length;
        bool Blank(int line) => string.IsNullOrWhiteSpace(text[starts[line]..LineEnd(line)]);

        var result = new List<(int, int, int)>();
        var taken = new bool[lineCount];
        for (int attempt = 0; attempt < 20 * count && result.Count < count; attempt++)
        {
            int lines = 1 + rng.Next(3);
            if (lineCount < lines) continue;
            int first = rng.Next(lineCount - lines + 1);
            bool ok = true;
            for (int l = first; l < first + lines; l++) ok &= !Blank(l) && !taken[l];
            if (!ok) continue;
            for (int l = first; l < first + lines; l++) taken[l] = true;
            result.Add((first, starts[first], LineEnd(first + lines - 1)));
        }
        return result;
    }

    /// <summary>Exact match after stripping trailing whitespace of each line (and trailing empty lines).</summary>
    public static bool ExactMatch(string expected, string actual) => Normalize(expected) == Normalize(actual);

    /// <summary>
    /// Edit similarity (as CodeXGLUE and RepoBench report next to exact match): 1 − Levenshtein distance / the longer
    /// length, over the same normalized texts; 1 for equal texts, 0 for nothing in common. Unlike exact match it
    /// tells a near miss from garbage.
    /// </summary>
    public static double EditSimilarity(string expected, string actual)
    {
        var (e, a) = (Normalize(expected), Normalize(actual));
        int longer = Math.Max(e.Length, a.Length);
        return longer == 0 ? 1 : 1 - (double)Quickenshtein.Levenshtein.GetDistance(e, a) / longer;
    }

    static string Normalize(string s)
    {
        var lines = s.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return string.Join("\n", lines);
    }
}
