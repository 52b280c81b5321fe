using System.Text.Json;
using System.Text.Json.Nodes;

namespace SeedGrains.Cli.Tests;

/// <summary>`seedgrains tokenizer train` and `seedgrains tokenize --json` run as the real executable.</summary>
public sealed class TokenizerCommandsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("seedgrains-cli-tok-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string TrainToyTokenizer()
    {
        var data = Path.Combine(directory, "data");
        Directory.CreateDirectory(data);
        for (var i = 0; i < 60; i++)
        {
            File.WriteAllText(Path.Combine(data, $"m{i}.py"), $"def f{i}(self, value):\n    return self.value + {i}\n\n\nclass C{i}:\n    pass\n");
        }
        var output = Path.Combine(directory, "tok");
        var (code, stdout, stderr) = Cli.Run("tokenizer", "train", "--data", data, "--vocab-size", "280", "--out", output, "--json");
        Assert.True(code == 0, stderr);
        var result = JsonNode.Parse(stdout)!;
        Assert.Equal(280, (int)result["vocabulary_size"]!);
        Assert.Equal(60, (int)result["files_found"]!);
        return output;
    }

    [Fact]
    public void TokenizeReportsNoMismatchesOnCasesOfTheSameTokenizerAndCountsAWrongOne()
    {
        var tokenizerDirectory = TrainToyTokenizer();
        var tokenizer = SeedGrains.Diffusion.Tokenization.CodeTokenizer.Load(tokenizerDirectory);
        string[] texts = ["def f(x):\n    return x\n", "x<|mask|>y", "", "ünï 🚀\r\n"];
        var cases = texts.Select(t => new { text = t, ids = tokenizer.Encode(t).Ids }).ToList();
        var casesFile = Path.Combine(directory, "cases.json");
        File.WriteAllText(casesFile, JsonSerializer.Serialize(cases));

        var (code, stdout, _) = Cli.Run("tokenize", "--tokenizer", tokenizerDirectory, "--cases", casesFile, "--json");
        var report = JsonNode.Parse(stdout)!;
        Assert.Equal((0, 4, 0, 0), (code, (int)report["cases"]!, (int)report["mismatches"]!, (int)report["roundtrip_failures"]!));

        cases[0] = new { text = texts[0], ids = cases[0].ids.Reverse().ToArray() };
        File.WriteAllText(casesFile, JsonSerializer.Serialize(cases));
        (code, stdout, _) = Cli.Run("tokenize", "--tokenizer", tokenizerDirectory, "--cases", casesFile, "--json");
        Assert.Equal(1, code);
        Assert.Equal(1, (int)JsonNode.Parse(stdout)!["mismatches"]!);
    }

    [Fact]
    public void BadInputIsOneErrorLineNotAStackTrace()
    {
        var missing = Path.Combine(directory, "missing");
        var (code, stdout, stderr) = Cli.Run("tokenize", "--tokenizer", missing, "--cases", "x.json", "--json");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(missing, stderr);
        Assert.DoesNotContain("   at ", stderr);

        (code, _, stderr) = Cli.Run("tokenizer", "train", "--data", missing, "--out", Path.Combine(directory, "o"));
        Assert.Equal(2, code);
        Assert.Contains(missing, stderr);
    }
}
