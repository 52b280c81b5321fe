using System.Text.Json;

namespace SeedGrains.Diffusion.Tokenization;

/// <summary>One entry of a cases.json file: a text and the ids the reference tokenizer (HF) gives it.</summary>
public sealed record TokenizerCase(string Text, int[] Ids)
{
    /// <summary>Read <c>[{"text": ..., "ids": [...]}, ...]</c>; a malformed entry is an error naming its index.</summary>
    public static IReadOnlyList<TokenizerCase> ReadFile(string file)
    {
        if (!File.Exists(file)) throw new FileNotFoundException($"Cases file '{file}' does not exist.", file);
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        if (document.RootElement.ValueKind != JsonValueKind.Array) throw new FormatException($"{file}: expected a JSON array of {{\"text\", \"ids\"}} objects.");
        var cases = new List<TokenizerCase>();
        var index = 0;
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("ids", out var ids) || ids.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{file}: case [{index}] needs a string \"text\" and an array \"ids\".");
            }
            cases.Add(new TokenizerCase(text.GetString()!, ids.EnumerateArray().Select(e => e.GetInt32()).ToArray()));
            index++;
        }
        return cases;
    }
}
