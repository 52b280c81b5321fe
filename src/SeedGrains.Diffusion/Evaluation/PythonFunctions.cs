namespace SeedGrains.Diffusion.Evaluation;

/// <summary>
/// Where the functions of Python files are, by Python's own <c>ast</c> (one python3 process per batch of files):
/// every <c>def</c> and <c>async def</c>, methods and nested functions included. Indentation heuristics would have to
/// re-implement multi-line signatures, decorators, strings spanning lines and continuation lines; the parser knows.
/// </summary>
public sealed class PythonFunctions(PythonProcess? python = null)
{
    /// <summary>One function, in 1-based line numbers (lines split at \r\n, \r or \n, as Python counts them).</summary>
    /// <param name="DefLine">The line of <c>def</c> (after any decorators).</param>
    /// <param name="DocstringEndLine">The last line of the docstring, 0 when there is none.</param>
    /// <param name="FirstStatementLine">The first statement after the docstring; 0 when the docstring is the whole body.</param>
    /// <param name="EndLine">The function's last line.</param>
    /// <param name="Inline">The body starts on a line shared with the signature (<c>def f(): return 1</c>).</param>
    public sealed record Function(int DefLine, int DocstringEndLine, int FirstStatementLine, int EndLine, bool Inline);

    const string Script = """
        import ast, json, re, sys, warnings
        warnings.simplefilter("ignore")
        def functions(text):
            try:
                tree = ast.parse(text)
            except Exception:
                return None
            lines = re.split(r"\r\n|\r|\n", text)
            found = []
            for node in ast.walk(tree):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                body = node.body
                first = body[0]
                inline = lines[first.lineno - 1].encode("utf-8")[:first.col_offset].strip() != b""
                doc_end = 0
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                    doc_end = first.end_lineno
                    body = body[1:]
                found.append([node.lineno, doc_end, body[0].lineno if body else 0, node.end_lineno, inline])
            return found
        texts = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        sys.stdout.write(json.dumps([functions(t) for t in texts]))
        """;

    readonly PythonProcess python = python ?? new PythonProcess();

    /// <summary>For each text, its functions in the order <c>ast.walk</c> meets them, or null when the text does not parse.</summary>
    public IReadOnlyList<Function>?[] Find(IReadOnlyList<string> texts)
    {
        if (texts.Count == 0) return [];
        var rows = python.Run<System.Text.Json.JsonElement[][]?[]>(Script, texts);
        if (rows.Length != texts.Count) throw new InvalidDataException($"{python.Executable} answered {rows.Length} of {texts.Count} texts");
        return rows.Select(r => r is null ? null : (IReadOnlyList<Function>?)r.Select(f =>
            new Function(f[0].GetInt32(), f[1].GetInt32(), f[2].GetInt32(), f[3].GetInt32(), f[4].GetBoolean())).ToList()).ToArray();
    }
}
