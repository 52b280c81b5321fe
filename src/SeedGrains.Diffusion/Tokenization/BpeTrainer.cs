using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// Trains a byte-level BPE the way HF's BpeTrainer does for Qwen2: split out special tokens, NFC-normalize,
/// pre-tokenize with the regex, count words; then repeatedly merge the most frequent adjacent pair.
/// Efficient: merging works on the table of distinct words (weighted by frequency) with incrementally
/// updated pair counts, a max-priority queue with lazy re-checking, and per-pair lists of the words holding it,
/// so each merge only touches the words that contain its pair.
/// Ties go to the pair with the smaller (left id, right id), as in HF.
/// </summary>
public sealed class BpeTrainer
{
    private readonly BpeTrainerOptions options;
    private readonly TextNormalizer normalizer = new([NormalizationForm.FormC]);
    private readonly RegexSplitter splitter;
    private readonly AddedTokenMatcher specials;
    private readonly Dictionary<string, long> wordCounts = new(StringComparer.Ordinal);
    private long totalWords;

    public BpeTrainer(BpeTrainerOptions options)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        var specialCount = options.SpecialTokens.Count;
        if (options.SpecialTokens.Any(string.IsNullOrEmpty) || options.SpecialTokens.Distinct(StringComparer.Ordinal).Count() != specialCount)
        {
            throw new ArgumentException("Special tokens must be distinct and non-empty.", nameof(options));
        }
        if (options.VocabularySize <= specialCount + 256 || options.VocabularySize > BpeTrainerOptions.MaxVocabularySize)
        {
            throw new ArgumentException(
                $"VocabularySize {options.VocabularySize} must be above {specialCount + 256} (specials + 256 byte tokens) and at most {BpeTrainerOptions.MaxVocabularySize}.",
                nameof(options));
        }
        if (options.MinPairFrequency < 1) throw new ArgumentException("MinPairFrequency must be at least 1.", nameof(options));
        try
        {
            splitter = new RegexSplitter(new Regex(options.PreTokenizerPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"PreTokenizerPattern /{options.PreTokenizerPattern}/ does not compile: {e.Message}", nameof(options), e);
        }
        specials = new AddedTokenMatcher(options.SpecialTokens.Select((s, id) => new AddedToken(id, s, Special: true)));
    }

    /// <summary>Pre-tokenized words counted so far (with repetition).</summary>
    public long TotalWords => totalWords;

    /// <summary>Distinct words counted so far.</summary>
    public int DistinctWords => wordCounts.Count;

    /// <summary>Count the words of one document.</summary>
    public void AddText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spans = new List<TextSpan>();
        specials.Split(text, 0, text.Length, spans);
        var pieces = new List<(int Start, int End)>();
        var lookup = wordCounts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var span in spans)
        {
            if (span.Token is not null) continue;
            var normalized = normalizer.Normalize(text[span.Start..span.End]);
            pieces.Clear();
            splitter.Split(normalized, 0, normalized.Length, pieces);
            foreach (var (start, end) in pieces)
            {
                var word = normalized.AsSpan(start, end - start);
                lookup[word] = lookup.TryGetValue(word, out var count) ? count + 1 : 1;
                totalWords++;
            }
        }
    }

    /// <summary>Learn merges until the vocabulary reaches the wanted size or no pair is frequent enough.</summary>
    public TrainedBpe Train(IProgress<BpeTrainingProgress>? progress = null)
    {
        if (wordCounts.Count == 0) throw new InvalidOperationException("No text was added: nothing to train on.");
        var clock = Stopwatch.StartNew();

        // Ids as in the saved vocabulary: specials, then the byte alphabet in character order, then merges.
        var tokens = new List<string>(options.SpecialTokens);
        var idOfToken = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++) idOfToken[tokens[i]] = i;
        var idOfByte = new int[256];
        foreach (var c in ByteLevelAlphabet.CharactersInOrder())
        {
            idOfByte[ByteLevelAlphabet.ByteOf(c)] = tokens.Count;
            idOfToken[c.ToString()] = tokens.Count;
            tokens.Add(c.ToString());
        }

        var state = new MergeState(wordCounts, idOfByte);
        var merges = new List<(string Left, string Right)>();
        var targetMerges = options.VocabularySize - tokens.Count;
        var mergedPairs = 0L;
        while (tokens.Count < options.VocabularySize)
        {
            if (!state.TryTakeBestPair(out var left, out var right, out var frequency) || frequency < options.MinPairFrequency)
            {
                break;
            }
            var merged = tokens[left] + tokens[right];
            if (!idOfToken.TryGetValue(merged, out var newId))
            {
                newId = tokens.Count;
                idOfToken[merged] = newId;
                tokens.Add(merged);
            }
            merges.Add((tokens[left], tokens[right]));
            state.Merge(left, right, newId);
            mergedPairs = frequency;
            if (merges.Count % 250 == 0) progress?.Report(new BpeTrainingProgress(merges.Count, targetMerges, frequency, clock.Elapsed));
        }
        progress?.Report(new BpeTrainingProgress(merges.Count, targetMerges, mergedPairs, clock.Elapsed));
        return new TrainedBpe(tokens, merges, options.SpecialTokens, options.PreTokenizerPattern, wordCounts.Count, totalWords);
    }

    /// <summary>The distinct words as symbol-id sequences, with pair counts kept in step as pairs are merged.</summary>
    private sealed class MergeState
    {
        private readonly int[][] words;
        private readonly int[] lengths;
        private readonly long[] frequencies;
        private readonly int[] visitedAtMerge;
        private readonly Dictionary<long, long> pairCounts = new();
        private readonly Dictionary<long, List<int>> wordsWithPair = new();
        private readonly PriorityQueue<long, (long Count, long Pair)> queue = new(Comparer<(long Count, long Pair)>.Create(
            static (x, y) => x.Count != y.Count ? y.Count.CompareTo(x.Count) : x.Pair.CompareTo(y.Pair)));
        private readonly HashSet<long> grown = new();
        private int mergeNumber;

        public MergeState(Dictionary<string, long> wordCounts, int[] idOfByte)
        {
            var count = wordCounts.Count;
            words = new int[count][];
            lengths = new int[count];
            frequencies = new long[count];
            visitedAtMerge = new int[count];
            var w = 0;
            // Ordinal order so that the result does not depend on dictionary insertion order.
            foreach (var (word, frequency) in wordCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var bytes = Encoding.UTF8.GetBytes(word);
                var symbols = new int[bytes.Length];
                for (var i = 0; i < bytes.Length; i++) symbols[i] = idOfByte[bytes[i]];
                words[w] = symbols;
                lengths[w] = symbols.Length;
                frequencies[w] = frequency;
                for (var i = 0; i + 1 < symbols.Length; i++) Add(Key(symbols[i], symbols[i + 1]), frequency, w);
                w++;
            }
            foreach (var (pair, pairCount) in pairCounts) queue.Enqueue(pair, (pairCount, pair));
            grown.Clear();
        }

        public bool TryTakeBestPair(out int left, out int right, out long frequency)
        {
            while (queue.TryDequeue(out var pair, out var priority))
            {
                var current = pairCounts.GetValueOrDefault(pair);
                if (current != priority.Count)
                {
                    // Stale entry: the count dropped since it was queued; requeue with the true count.
                    if (current > 0) queue.Enqueue(pair, (current, pair));
                    continue;
                }
                left = (int)(pair >> 32);
                right = (int)(pair & 0xFFFFFFFF);
                frequency = current;
                return true;
            }
            left = right = 0;
            frequency = 0;
            return false;
        }

        public void Merge(int left, int right, int newId)
        {
            mergeNumber++;
            var pair = Key(left, right);
            var holders = wordsWithPair[pair];
            foreach (var w in holders)
            {
                if (visitedAtMerge[w] == mergeNumber) continue;
                visitedAtMerge[w] = mergeNumber;
                MergeInWord(w, left, right, newId);
            }
            pairCounts.Remove(pair);
            wordsWithPair.Remove(pair);
            foreach (var changed in grown)
            {
                if (pairCounts.TryGetValue(changed, out var count) && count > 0) queue.Enqueue(changed, (count, changed));
            }
            grown.Clear();
        }

        // Rewrites the word in place; each merged occurrence moves its neighbours' pairs onto the new symbol.
        private void MergeInWord(int w, int left, int right, int newId)
        {
            var symbols = words[w];
            var length = lengths[w];
            var frequency = frequencies[w];
            var write = 0;
            var read = 0;
            while (read < length)
            {
                if (read + 1 < length && symbols[read] == left && symbols[read + 1] == right)
                {
                    if (write > 0)
                    {
                        var before = symbols[write - 1];
                        Add(Key(before, left), -frequency, w);
                        Add(Key(before, newId), frequency, w);
                    }
                    if (read + 2 < length)
                    {
                        var after = symbols[read + 2];
                        Add(Key(right, after), -frequency, w);
                        Add(Key(newId, after), frequency, w);
                    }
                    symbols[write++] = newId;
                    read += 2;
                }
                else
                {
                    symbols[write++] = symbols[read++];
                }
            }
            lengths[w] = write;
        }

        private void Add(long pair, long delta, int word)
        {
            ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, pair, out _);
            count += delta;
            if (delta <= 0) return;
            grown.Add(pair);
            ref var holders = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(wordsWithPair, pair, out var exists);
            if (!exists) holders = new List<int>();
            if (holders!.Count == 0 || holders[^1] != word) holders.Add(word);
        }

        private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
    }
}
