using System.Text;

namespace SeedGrains.Diffusion.Tests.Tokenization;

/// <summary>Seeded Python-like text for training tiny tokenizers in tests.</summary>
internal static class ToyCodeCorpus
{
    private static readonly string[] Syllables = ["get", "set", "item", "val", "ue", "count", "res", "ult", "conf", "ig", "da", "ta", "idx", "na", "me", "tot", "al", "é", "中文", "x", "y"];
    private static readonly string[] Names = BuildNames();
    private static readonly string[] Calls = ["len", "print", "range", "sorted", "str", "isinstance", "append", "format"];

    public static List<string> Documents(int count, int seed)
    {
        var random = new Random(seed);
        var documents = new List<string>();
        for (var d = 0; d < count; d++)
        {
            var text = new StringBuilder();
            text.Append($"def {Pick(random, Names)}_{random.Next(100)}({Pick(random, Names)}, {Pick(random, Names)}=None):\n");
            var lines = random.Next(3, 12);
            for (var l = 0; l < lines; l++)
            {
                var indent = new string(' ', 4 * random.Next(1, 3));
                text.Append(random.Next(6) switch
                {
                    0 => $"{indent}for {Pick(random, Names)} in {Pick(random, Calls)}({Pick(random, Names)}):\n",
                    1 => $"{indent}if {Pick(random, Names)} == {random.Next(1000)}:\n",
                    2 => $"{indent}{Pick(random, Names)}.{Pick(random, Calls)}(\"{Pick(random, Names)} {random.Next(10)}\")\n",
                    3 => $"{indent}# {Pick(random, Names)} is {Pick(random, Names)}\r\n",
                    4 => $"{indent}{Pick(random, Names)} = {Pick(random, Names)} + {random.Next(50)}\n",
                    _ => $"{indent}return {Pick(random, Names)}\n",
                });
            }
            documents.Add(text.ToString());
        }
        return documents;
    }

    // Compound identifiers (get_item, conf_val_ue, ...) so there are many distinct words that share pieces.
    private static string[] BuildNames()
    {
        var random = new Random(3);
        return Enumerable.Range(0, 300).Select(_ =>
            string.Join(random.Next(3) == 0 ? "" : "_", Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(random, Syllables)))).ToArray();
    }

    private static string Pick(Random random, string[] options) => options[random.Next(options.Length)];
}
