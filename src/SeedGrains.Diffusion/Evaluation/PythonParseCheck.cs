namespace SeedGrains.Diffusion.Evaluation;

/// <summary>
/// Whether each of a batch of texts parses as Python, by the machine's python3 (<c>ast.parse</c>, one process per
/// batch): the `bodies` task's parse rate. Warnings (e.g. invalid escape sequences) do not count as failures; any
/// error of the parser does (SyntaxError, null bytes, nesting too deep).
/// </summary>
public sealed class PythonParseCheck(PythonProcess? python = null)
{
    const string Script = """
        import ast, json, sys, warnings
        warnings.simplefilter("ignore")
        def parses(text):
            try:
                ast.parse(text)
                return True
            except Exception:
                return False
        texts = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        sys.stdout.write(json.dumps([parses(t) for t in texts]))
        """;

    readonly PythonProcess python = python ?? new PythonProcess();

    /// <summary>One bool per text, in order.</summary>
    public bool[] Parses(IReadOnlyList<string> texts)
    {
        if (texts.Count == 0) return [];
        var result = python.Run<bool[]>(Script, texts);
        if (result.Length != texts.Count) throw new InvalidDataException($"{python.Executable} answered {result.Length} of {texts.Count} texts");
        return result;
    }
}
