namespace SeedGrains.Grains.Jobs;

/// <summary>
/// Just enough of Python's lexer to tell code from strings and comments: single- and triple-quoted strings (with
/// backslash escapes) and <c>#</c> comments. Prefixes (r, b, f) need no handling for that purpose.
/// </summary>
internal sealed class PythonLexer
{
    private readonly bool[] _code;
    private readonly bool[] _string;

    private PythonLexer(int length)
    {
        _code = new bool[length + 1];
        _string = new bool[length + 1];
    }

    /// <summary>True where the character is code (not in a string or comment).</summary>
    public bool IsCode(int position) => _code[position];

    /// <summary>True where the character is inside a string literal (quotes included).</summary>
    public bool InString(int position) => _string[position];

    public static PythonLexer Scan(string text)
    {
        var lexed = new PythonLexer(text.Length);
        var p = 0;
        while (p < text.Length)
        {
            var c = text[p];
            if (c == '#')
            {
                while (p < text.Length && text[p] != '\n') p++;
                continue;
            }
            if (c is '\'' or '"')
            {
                var triple = p + 2 < text.Length && text[p + 1] == c && text[p + 2] == c;
                var end = triple ? EndOfTriple(text, p + 3, c) : EndOfSingle(text, p + 1, c);
                for (var q = p; q < end; q++) lexed._string[q] = true;
                p = end;
                continue;
            }
            lexed._code[p] = true;
            p++;
        }
        return lexed;
    }

    private static int EndOfTriple(string text, int p, char quote)
    {
        while (p < text.Length)
        {
            if (text[p] == '\\') { p += 2; continue; }
            if (p + 2 < text.Length && text[p] == quote && text[p + 1] == quote && text[p + 2] == quote) return p + 3;
            p++;
        }
        return text.Length;
    }

    /// <summary>A single-quoted string ends at its quote, or (unterminated) at the line's end.</summary>
    private static int EndOfSingle(string text, int p, char quote)
    {
        while (p < text.Length && text[p] != '\n')
        {
            if (text[p] == '\\') { p += 2; continue; }
            if (text[p] == quote) return p + 1;
            p++;
        }
        return Math.Min(p, text.Length);
    }
}
