using SeedGrains.Diffusion.Evaluation;
using SeedGrains.Diffusion.Tests.Tokenization;

namespace SeedGrains.Diffusion.Tests.Evaluation;

/// <summary>Which function bodies the `bodies` task regenerates: found by python3's ast, whole lines, 32–256 tokens.</summary>
public sealed class BodiesTaskTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("sg-bodies-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A body of <paramref name="statements"/> lines at <paramref name="indent"/> (about 13 tokens a line).</summary>
    static string Body(string indent, int statements, string name = "value") =>
        string.Concat(Enumerable.Range(0, statements).Select(i => $"{indent}{name}_{i} = compute({name}, {i}) + offset\n"));

    static List<string> Middles(string text)
    {
        var functions = new PythonFunctions().Find([text])[0]!;
        return BodiesTask.Bodies(text, functions, TokenizerFixtures.Tokenizer).Select(b => text[b.Start..b.End]).ToList();
    }

    [Fact]
    public void ABodyIsWholeLinesFromAfterTheSignatureToTheFunctionsLastLine()
    {
        var body = Body("    ", 6) + "    return value_5\n";
        var text = "import os\n\n\ndef f(value, offset):\n" + body + "\n\nprint(f(1, 2))\n";

        Assert.Equal([body], Middles(text));
    }

    [Fact]
    public void MultiLineSignaturesDecoratorsAndAsyncDefKeepTheHeaderInTheContext()
    {
        var body = Body("    ", 5) + "    return value_4\n";
        var text = "@decorator(\n    option=True,\n)\nasync def f(\n    value,\n    offset,  # a comment\n) -> int:\n" + body;

        Assert.Equal([body], Middles(text));
    }

    [Fact]
    public void TheDocstringStaysContextAndCommentsAboveTheFirstStatementBelongToTheBody()
    {
        var body = "    # Start from the value.\n" + Body("    ", 5) + "    return value_4\n";
        var text = "def f(value, offset):\n    \"\"\"Compute.\n\n    Longer text.\n    \"\"\"\n\n" + body;
        // Only a docstring: nothing to regenerate.
        var docOnly = "def g():\n    \"\"\"" + string.Concat(Enumerable.Repeat("Words and more words. ", 20)) + "\"\"\"\n";

        Assert.Equal([body], Middles(text));      // the blank line after the docstring stays context too
        Assert.Empty(Middles(docOnly));
    }

    [Fact]
    public void MethodsAndNestedFunctionsAreBodiesToo()
    {
        var inner = Body("            ", 4, "inner") + "            return inner_3\n";
        var method = "        def helper(inner, offset):\n" + inner + Body("        ", 3) + "        return helper(value_2, offset)\n";
        var text = "class C:\n    def m(self, value, offset):\n" + method;

        var middles = Middles(text);

        Assert.Equal(2, middles.Count);
        Assert.Contains(method, middles);
        Assert.Contains(inner, middles);
    }

    [Fact]
    public void OneLineBodiesAndBodiesOutsideTheTokenRangeAreExcluded()
    {
        var inlineBody = "return compute(value, offset) + compute(offset, value) + compute(value, value) + compute(offset, offset) + offset\n";
        var inline = "def f(value, offset): " + inlineBody;
        var inlineAfterLongSignature = "def k(value,\n      offset): " + inlineBody;   // the body's line is not the def's
        var tiny = "def g(value):\n    return value\n";
        var huge = "def h(value, offset):\n" + Body("    ", 40) + "    return value_39\n";
        var text = inline + inlineAfterLongSignature + tiny + huge;
        var tokenizer = TokenizerFixtures.Tokenizer;

        Assert.True(tokenizer.EncodeVerbatim(inlineBody).Ids.Length >= BodiesTask.MinTokens);   // long enough, but not whole lines
        Assert.True(tokenizer.EncodeVerbatim(Body("    ", 40)).Ids.Length > BodiesTask.MaxTokens);
        Assert.Empty(Middles(text));
    }

    [Fact]
    public void BuildPicksNonOverlappingBodiesThatReassembleTheFileAndSkipsFilesThatDoNotParse()
    {
        for (int f = 0; f < 6; f++)
        {
            var text = string.Concat(Enumerable.Range(0, 4).Select(i =>
                $"def f{f}_{i}(value, offset):\n" + Body("    ", 4 + i) + $"    def nested(x):\n" + Body("        ", 3, "x") + "        return x\n" + "    return nested(value)\n\n"));
            File.WriteAllText(Path.Combine(dir, $"m{f}.py"), text);
        }
        File.WriteAllText(Path.Combine(dir, "broken.py"), "def f(:\n" + Body("    ", 5));
        File.WriteAllBytes(Path.Combine(dir, "latin1.py"), [0x78, 0x20, 0x3d, 0x20, 0x27, 0xe9, 0x27, 0x0a]);

        var sample = BodiesTask.Build(dir, TokenizerFixtures.Tokenizer, maxFiles: 10, seed: 3, bodiesPerFile: 3);

        Assert.Equal((6, 1, 1), (sample.FilesUsed, sample.FilesSkipped, sample.FilesUnparsed));
        Assert.Equal(18, sample.Cases.Count);
        foreach (var group in sample.Cases.GroupBy(c => c.File))
        {
            var original = File.ReadAllText(Path.Combine(dir, group.Key));
            var spans = group.Select(c => (Start: c.Prefix.Length, End: c.Prefix.Length + c.Middle.Length)).OrderBy(s => s.Start).ToList();
            for (int i = 1; i < spans.Count; i++) Assert.True(spans[i - 1].End <= spans[i].Start);
            foreach (var c in group)
            {
                Assert.Equal(original, c.Prefix + c.Middle + c.Suffix);
                Assert.EndsWith(":\n", c.Prefix);
                Assert.InRange(TokenizerFixtures.Tokenizer.EncodeVerbatim(c.Middle).Ids.Length, BodiesTask.MinTokens, BodiesTask.MaxTokens);
            }
        }
        // Deterministic by seed.
        Assert.Equal(sample.Cases, BodiesTask.Build(dir, TokenizerFixtures.Tokenizer, 10, seed: 3, bodiesPerFile: 3).Cases);
        Assert.NotEqual(sample.Cases, BodiesTask.Build(dir, TokenizerFixtures.Tokenizer, 10, seed: 4, bodiesPerFile: 3).Cases);
    }

    [Fact]
    public void WindowsLineEndsAreKeptAndCountedAsPythonCountsThem()
    {
        var body = (Body("    ", 5) + "    return value_4\n").Replace("\n", "\r\n");
        var text = "x = 1\r\n\r\ndef f(value, offset):\r\n" + body + "\r\ny = 2\r\n";

        Assert.Equal([body], Middles(text));
    }
}
