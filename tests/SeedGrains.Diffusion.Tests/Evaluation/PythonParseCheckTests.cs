using SeedGrains.Diffusion.Evaluation;

namespace SeedGrains.Diffusion.Tests.Evaluation;

/// <summary>The parse check against the machine's python3 (a test prerequisite, like git for the patch tests).</summary>
public sealed class PythonParseCheckTests
{
    [Fact]
    public void ValidFilesParseAndBrokenOnesDoNotInOneBatch()
    {
        var check = new PythonParseCheck();
        string[] texts =
        [
            "def f(x):\n    \"\"\"Doc.\"\"\"\n    return x + 1\n",
            "def f(x):\n    return (x + 1\n",               // unclosed parenthesis
            "def f(x):\nreturn x\n",                          // body not indented
            "",                                               // an empty file is a valid module
            "s = '\\d'\nasync def g():\n    await h()\n",     // an invalid escape only warns
            "x = 1\0\n",                                      // a null byte is a parser error, not a crash
        ];

        Assert.Equal([true, false, false, true, true, false], check.Parses(texts));
        Assert.Empty(check.Parses([]));
    }

    [Fact]
    public void AMissingPythonIsAClearError()
    {
        var check = new PythonParseCheck(new PythonProcess("python3-that-does-not-exist"));

        var error = Assert.Throws<InvalidOperationException>(() => check.Parses(["x = 1\n"]));

        Assert.Contains("python3-that-does-not-exist not found", error.Message);
    }
}
