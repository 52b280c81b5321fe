using System.Text.RegularExpressions;

namespace SeedGrains.Grains.Jobs;

/// <summary>A Python function's name and the [start, end) range of its body in the file's text.</summary>
public sealed record PythonFunctionBody(string Name, int BodyStart, int BodyEnd);

/// <summary>
/// Finds Python function bodies by indentation: a body runs from the first line after the signature (which may span
/// lines) to the last line before the dedent, i.e. the next code line indented no deeper than the <c>def</c>. Strings and
/// comments are skipped while reading the signature, and lines inside a triple-quoted string belong to the body
/// whatever their indentation. One-line functions (<c>def f(): return 1</c>) have no body of their own and are left out.
/// </summary>
public static partial class PythonFunctionBodies
{
    public static IReadOnlyList<PythonFunctionBody> Find(string text)
    {
        var lexed = PythonLexer.Scan(text);
        var lines = Lines(text);
        var bodies = new List<PythonFunctionBody>();
        for (var i = 0; i < lines.Count; i++)
        {
            var (start, end) = lines[i];
            if (lexed.InString(start)) continue;
            var match = Def().Match(text, start, end - start);
            if (!match.Success) continue;
            var colon = HeaderColon(text, lexed, match.Index + match.Length - 1);
            if (colon < 0) continue;
            var headerLine = LineOf(lines, colon, i);
            if (HasCodeAfter(text, lexed, colon + 1, lines[headerLine].End)) continue;
            var body = Body(text, lexed, lines, headerLine + 1, match.Groups[1].Length);
            if (body is { } b) bodies.Add(new PythonFunctionBody(match.Groups[2].Value, b.Start, b.End));
        }
        return bodies;
    }

    /// <summary>The ':' that ends the signature whose '(' is at <paramref name="open"/>, or -1.</summary>
    private static int HeaderColon(string text, PythonLexer lexed, int open)
    {
        var depth = 0;
        for (var p = open; p < text.Length; p++)
        {
            if (!lexed.IsCode(p)) continue;
            switch (text[p])
            {
                case '(' or '[' or '{': depth++; break;
                case ')' or ']' or '}': depth--; break;
                case ':' when depth == 0: return p;
            }
        }
        return -1;
    }

    private static bool HasCodeAfter(string text, PythonLexer lexed, int from, int to)
    {
        for (var p = from; p < to; p++)
        {
            if (text[p] == '#' && !lexed.InString(p)) return false;
            if (!char.IsWhiteSpace(text[p])) return true;
        }
        return false;
    }

    /// <summary>From the first line after the signature to the last line indented deeper than the def (or inside a string).</summary>
    private static (int Start, int End)? Body(string text, PythonLexer lexed, List<(int Start, int End)> lines, int first, int defIndent)
    {
        int? bodyStart = null;
        var bodyEnd = 0;
        for (var j = first; j < lines.Count; j++)
        {
            var (start, end) = lines[j];
            var indent = 0;
            while (start + indent < end && text[start + indent] is ' ' or '\t') indent++;
            var inString = lexed.InString(start);
            var blank = start + indent == end || (text[start + indent] == '#' && !inString);
            if (!inString && blank) continue;
            if (!inString && indent <= defIndent) break;
            bodyStart ??= start;
            bodyEnd = end;
        }
        return bodyStart is { } s ? (s, bodyEnd) : null;
    }

    /// <summary>Each line's [start, end) without its line break.</summary>
    private static List<(int Start, int End)> Lines(string text)
    {
        var lines = new List<(int, int)>();
        var start = 0;
        for (var p = 0; p <= text.Length; p++)
        {
            if (p < text.Length && text[p] != '\n') continue;
            var end = p > start && text[p - 1] == '\r' ? p - 1 : p;
            lines.Add((start, end));
            start = p + 1;
        }
        return lines;
    }

    private static int LineOf(List<(int Start, int End)> lines, int position, int from)
    {
        var i = from;
        while (i + 1 < lines.Count && lines[i + 1].Start <= position) i++;
        return i;
    }

    [GeneratedRegex(@"\G([ \t]*)(?:async[ \t]+)?def[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(")]
    private static partial Regex Def();
}
