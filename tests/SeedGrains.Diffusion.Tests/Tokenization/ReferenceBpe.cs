using System.Text;
using System.Text.RegularExpressions;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Diffusion.Tests.Tokenization;

/// <summary>
/// Textbook BPE, slow and obvious, to check the fast trainer and the encoder against: recount every pair
/// after every merge; encode a word by repeatedly merging its lowest-ranked adjacent pair.
/// Only for ASCII/BMP text without special tokens (it splits with .NET's regex directly).
/// </summary>
internal static class ReferenceBpe
{
    public static List<string> Words(IEnumerable<string> texts, string pattern) =>
        texts.SelectMany(t => Regex.Matches(t.Normalize(NormalizationForm.FormC), pattern).Select(m => m.Value)).ToList();

    public static List<(string Left, string Right)> Train(IEnumerable<string> texts, string pattern, int specials, int vocabularySize)
    {
        var counts = Words(texts, pattern).GroupBy(w => w).ToDictionary(g => g.Key, g => (long)g.Count());
        var tokens = Enumerable.Range(0, specials).Select(i => $"<special{i}>").ToList();
        tokens.AddRange(ByteLevelAlphabet.CharactersInOrder().Select(c => c.ToString()));
        var ids = tokens.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
        var words = counts.ToDictionary(kv => kv.Key, kv => ByteLevelAlphabet.EncodeText(kv.Key).Select(c => ids[c.ToString()]).ToList());
        var merges = new List<(string, string)>();
        while (tokens.Count < vocabularySize)
        {
            var pairs = new Dictionary<(int, int), long>();
            foreach (var (word, symbols) in words)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    pairs[(symbols[i], symbols[i + 1])] = pairs.GetValueOrDefault((symbols[i], symbols[i + 1])) + counts[word];
                }
            }
            if (pairs.Count == 0) break;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1).ThenBy(p => p.Key.Item2).First();
            if (best.Value < 2) break;
            var (left, right) = best.Key;
            var merged = tokens[left] + tokens[right];
            if (!ids.TryGetValue(merged, out var newId))
            {
                newId = tokens.Count;
                ids[merged] = newId;
                tokens.Add(merged);
            }
            merges.Add((tokens[left], tokens[right]));
            foreach (var symbols in words.Values)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    if (symbols[i] == left && symbols[i + 1] == right)
                    {
                        symbols[i] = newId;
                        symbols.RemoveAt(i + 1);
                    }
                }
            }
        }
        return merges;
    }

    /// <summary>The ids the merges imply for one text (specials-free), given the saved vocabulary.</summary>
    public static List<int> Encode(string text, string pattern, IReadOnlyList<(string Left, string Right)> merges, IReadOnlyDictionary<string, int> vocabulary)
    {
        var rank = new Dictionary<(string, string), int>();
        for (var i = 0; i < merges.Count; i++) rank.TryAdd(merges[i], i);
        var ids = new List<int>();
        foreach (var word in Words([text], pattern))
        {
            var symbols = ByteLevelAlphabet.EncodeText(word).Select(c => c.ToString()).ToList();
            while (true)
            {
                var bestRank = int.MaxValue;
                var at = -1;
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    if (rank.TryGetValue((symbols[i], symbols[i + 1]), out var r) && r < bestRank)
                    {
                        bestRank = r;
                        at = i;
                    }
                }
                if (at < 0) break;
                symbols[at] += symbols[at + 1];
                symbols.RemoveAt(at + 1);
            }
            ids.AddRange(symbols.Select(s => vocabulary[s]));
        }
        return ids;
    }
}
