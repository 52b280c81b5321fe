using SeedGrains.Grains.Jobs;

namespace SeedGrains.Grains.Tests.Jobs;

public sealed class PythonFunctionBodiesTests
{
    private static List<(string Name, string Body)> Bodies(string text) =>
        PythonFunctionBodies.Find(text).Select(b => (b.Name, text[b.BodyStart..b.BodyEnd])).ToList();

    [Fact]
    public void A_body_runs_from_the_line_after_the_signature_to_the_dedent()
    {
        var text = "import os\n\ndef add(a, b):\n    c = a + b\n\n    return c\n\nprint(add(1, 2))\n";
        Assert.Equal([("add", "    c = a + b\n\n    return c")], Bodies(text));
    }

    [Fact]
    public void A_signature_may_span_lines_and_hold_colons_brackets_and_strings()
    {
        var text = "async def fetch(url: str = \"a:(b\",\n          opts: dict[str, int] = {'k': 1}) -> list[int]:\n    return [1]\nx = 1\n";
        Assert.Equal([("fetch", "    return [1]")], Bodies(text));
    }

    [Fact]
    public void Methods_and_nested_functions_are_found_and_docstrings_stay_in_the_body()
    {
        var text = "class A:\n    def m(self):\n        \"\"\"Doc\nat column 0\n\"\"\"\n        def inner():\n            pass\n        return 1\n    # a comment\n    x = 2\n";
        var bodies = Bodies(text);
        Assert.Equal(("m", "        \"\"\"Doc\nat column 0\n\"\"\"\n        def inner():\n            pass\n        return 1"), bodies[0]);
        Assert.Equal(("inner", "            pass"), bodies[1]);
        Assert.Equal(2, bodies.Count);
    }

    [Fact]
    public void One_line_functions_and_defs_in_strings_or_comments_have_no_body()
    {
        var text = "def f(): return 1\n# def g():\n#     pass\ns = '''\ndef h():\n    pass\n'''\ndef k():  # note\n    pass\n";
        Assert.Equal([("k", "    pass")], Bodies(text));
    }

    [Fact]
    public void The_selection_keeps_the_functions_whose_name_matches_and_merges_nested_ones()
    {
        var text = "def test_a():\n    def test_b():\n        pass\n    return 1\n\ndef helper():\n    pass\n";
        var regions = new PythonBodySelection("^test_").Find(text, null);
        Assert.Equal(["    def test_b():\n        pass\n    return 1"], regions.Select(r => text[r.Start..r.End]));
    }
}
