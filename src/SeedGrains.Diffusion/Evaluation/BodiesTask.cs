using System.Text;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Diffusion.Evaluation;

/// <summary>
/// The `bodies` task: regenerate a whole Python function body of <see cref="MinTokens"/>–<see cref="MaxTokens"/> tokens
/// (whole lines, each with its newline), with the same no-oracle-length budget and context as `lines`. Functions are
/// found by Python's own parser (<see cref="PythonFunctions"/>): any <c>def</c> or <c>async def</c>, methods and
/// nested functions included. The region starts on the first line after the signature — after the docstring when
/// there is one, since a docstring is the function's specification (what HumanEval-style tasks give as the prompt), not
/// its code; comment lines just above the first statement belong to the region — and ends on the function's last line.
/// Bodies that share a line with the signature, and functions whose body is only a docstring, have no such region.
/// Files are listed and shuffled as in <see cref="LinesTask"/>; files that do not parse as Python are skipped and
/// counted (their bodies could not be told apart, and a filled file could not parse either way).
/// </summary>
public static class BodiesTask
{
    public const int MinTokens = 32;
    public const int MaxTokens = 256;
    /// <summary>Files handed to python3 at a time.</summary>
    const int Batch = 64;

    public sealed record Sample(IReadOnlyList<InfillCase> Cases, int FilesUsed, int FilesSkipped, int FilesUnparsed);

    public static Sample Build(string dataDirectory, ICodeTokenizer tokenizer, int maxFiles, int seed, int bodiesPerFile = 1,
        PythonProcess? python = null, string pattern = "*.py")
    {
        var rng = new Random(seed);
        var files = DataFiles.Shuffled(dataDirectory, pattern, rng);
        var finder = new PythonFunctions(python);
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var cases = new List<InfillCase>();
        int used = 0, skipped = 0, unparsed = 0;
        for (int next = 0; next < files.Length && used < maxFiles; next += Batch)
        {
            var batch = new List<(string File, string Text)>();
            foreach (var file in files.Skip(next).Take(Batch))
            {
                try { batch.Add((file, strict.GetString(File.ReadAllBytes(file)))); }
                catch (DecoderFallbackException) { skipped++; }
            }
            var functions = finder.Find(batch.Select(b => b.Text).ToList());
            for (int i = 0; i < batch.Count && used < maxFiles; i++)
            {
                if (functions[i] is not { } found) { unparsed++; continue; }
                var (file, text) = batch[i];
                var picked = PickBodies(text, found, tokenizer, bodiesPerFile, rng);
                if (picked.Count == 0) continue;
                used++;
                foreach (var (firstLine, start, end) in picked)
                    cases.Add(new InfillCase(Path.GetRelativePath(dataDirectory, file), firstLine, text[..start], text[start..end], text[end..]));
            }
        }
        return new Sample(cases, used, skipped, unparsed);
    }

    /// <summary>
    /// The body regions of <paramref name="text"/> whose length is in range, as (0-based first line, char start, char
    /// end): in the parser's order, before picking.
    /// </summary>
    public static List<(int FirstLine, int Start, int End)> Bodies(string text, IReadOnlyList<PythonFunctions.Function> functions, ICodeTokenizer tokenizer)
    {
        var lines = new LineIndex(text);
        var result = new List<(int, int, int)>();
        foreach (var f in functions)
        {
            if (f.Inline || f.FirstStatementLine == 0) continue;
            // 0-based from here on: the header (or docstring) ends on line `above`; the body region starts after it.
            int above = Math.Max(f.DefLine, f.DocstringEndLine) - 1;
            int first = f.FirstStatementLine - 1;
            if (first <= above) continue;   // a statement on the docstring's line: not whole lines
            while (first - 1 > above && lines.IsCommentOrBlank(first - 1)) first--;
            while (first < f.FirstStatementLine - 1 && lines.IsBlank(first)) first++;
            int start = lines.Start(first), end = lines.Start(f.EndLine);   // up to and with the last line's newline
            int tokens = tokenizer.EncodeVerbatim(text[start..end]).Ids.Length;
            if (tokens is >= MinTokens and <= MaxTokens) result.Add((first, start, end));
        }
        return result;
    }

    /// <summary>Up to <paramref name="count"/> non-overlapping bodies, picked at random (an outer function's body contains its nested ones).</summary>
    static List<(int FirstLine, int Start, int End)> PickBodies(string text, IReadOnlyList<PythonFunctions.Function> functions, ICodeTokenizer tokenizer, int count, Random rng)
    {
        var candidates = Bodies(text, functions, tokenizer).ToArray();
        rng.Shuffle(candidates);
        var picked = new List<(int FirstLine, int Start, int End)>();
        foreach (var c in candidates)
        {
            if (picked.Count >= count) break;
            if (picked.All(p => c.End <= p.Start || p.End <= c.Start)) picked.Add(c);
        }
        return picked;
    }

    /// <summary>Line starts of a text, with lines split at \r\n, \r or \n as Python's tokenizer splits them.</summary>
    sealed class LineIndex
    {
        readonly string text;
        readonly List<int> starts = [0];

        public LineIndex(string text)
        {
            this.text = text;
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                if (text[i] is '\n' or '\r') starts.Add(i + 1);
            }
        }

        /// <summary>Where 0-based line <paramref name="line"/> starts; the text's length past the last line.</summary>
        public int Start(int line) => line < starts.Count ? starts[line] : text.Length;

        string Line(int line) => text[Start(line)..Start(line + 1)];
        public bool IsBlank(int line) => string.IsNullOrWhiteSpace(Line(line));
        public bool IsCommentOrBlank(int line) => Line(line).TrimStart() is var t && (t.Length == 0 || t.StartsWith('#'));
    }
}
