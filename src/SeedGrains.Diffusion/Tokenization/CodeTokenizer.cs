using System.Text;

namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// A HuggingFace byte-level BPE tokenizer (tokenizer.json) that encodes to the same ids as HF's
/// <c>Tokenizer.encode(text).ids</c> and reports, for each id, the [start, end) range of the ORIGINAL text it
/// covers. Ranges are contiguous and cover the whole text: a character split over several byte tokens belongs
/// to the token holding its last byte (the earlier ones get an empty range at its start), and a cluster the
/// normalizer rewrites (e.g. "e" + U+0301 → "é" under NFC) belongs to the token completing its normalized form.
/// Decoding gives the normalized text: Decode(Encode(x).Ids) == Normalize(x) (== x when x is already NFC).
/// </summary>
public sealed class CodeTokenizer : ICodeTokenizer
{
    private readonly BytePairModel model;
    private readonly TextNormalizer normalizer;
    private readonly PreTokenizerPipeline preTokenizer;
    private readonly AddedTokenMatcher rawAddedTokens;
    private readonly AddedTokenMatcher normalizedAddedTokens;
    private readonly Dictionary<string, int> addedTokenIds;
    private readonly byte[]?[] bytesById;
    private readonly int[] prefixIds;
    private readonly int[] suffixIds;

    private CodeTokenizer(TokenizerDefinition definition, string source)
    {
        Source = source;
        model = new BytePairModel(definition.Vocabulary, definition.Merges, definition.IgnoreMerges);
        normalizer = definition.Normalizer;
        preTokenizer = definition.PreTokenizer;
        AddedTokens = definition.AddedTokens;
        rawAddedTokens = new AddedTokenMatcher(definition.AddedTokens.Where(t => !t.Normalized));
        normalizedAddedTokens = new AddedTokenMatcher(definition.AddedTokens.Where(t => t.Normalized)
            .Select(t => t with { Content = normalizer.Normalize(t.Content) }));
        addedTokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in definition.AddedTokens)
        {
            addedTokenIds.TryAdd(token.Content, token.Id);
        }

        VocabularySize = Math.Max(
            definition.Vocabulary.Count == 0 ? 0 : definition.Vocabulary.Values.Max() + 1,
            definition.AddedTokens.Count == 0 ? 0 : definition.AddedTokens.Max(t => t.Id) + 1);
        bytesById = new byte[]?[VocabularySize];
        foreach (var (token, id) in definition.Vocabulary)
        {
            // Vocabulary entries outside the byte alphabet are never produced by BPE; decode them as their UTF-8.
            bytesById[id] = ByteLevelAlphabet.TryDecode(token) ?? Encoding.UTF8.GetBytes(token);
        }
        foreach (var token in definition.AddedTokens)
        {
            bytesById[token.Id] = Encoding.UTF8.GetBytes(token.Content);
        }
        prefixIds = definition.PrefixIds.ToArray();
        suffixIds = definition.SuffixIds.ToArray();
        foreach (var id in prefixIds.Concat(suffixIds))
        {
            if (id < 0 || id >= VocabularySize || bytesById[id] is null)
            {
                throw new TokenizerFormatException($"{source}: post_processor adds id {id}, which is not in the vocabulary.");
            }
        }
    }

    /// <summary>The file this tokenizer was read from.</summary>
    public string Source { get; }

    public int VocabularySize { get; }

    /// <summary>The added tokens (specials such as &lt;|mask|&gt;) in file order.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>Load a tokenizer.json, or the tokenizer.json inside a directory.</summary>
    public static CodeTokenizer Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "tokenizer.json") : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException(Directory.Exists(path)
                ? $"Tokenizer directory '{path}' has no tokenizer.json."
                : $"Tokenizer file or directory '{path}' does not exist.", file);
        }
        return new CodeTokenizer(HfTokenizerJsonReader.Read(file), file);
    }

    public int? SpecialTokenId(string token) => addedTokenIds.TryGetValue(token, out var id) ? id : null;

    /// <summary>As Hugging Face encodes: a special token's text (e.g. "&lt;|mask|&gt;") becomes that special token.</summary>
    public EncodedText Encode(string text) => Encode(text, parseSpecialTokens: true);

    /// <summary>
    /// Document text as data: an added token's text in it (a "&lt;|endoftext|&gt;" in a tokenizer's source, say) is
    /// spelled with ordinary tokens, so no document can inject an end, a mask or a FIM sentinel. (Unlike Hugging Face's
    /// split_special_tokens, this also applies to non-special added tokens; the bundled tokenizer has none.)
    /// </summary>
    public EncodedText EncodeVerbatim(string text) => Encode(text, parseSpecialTokens: false);

    private EncodedText Encode(string text, bool parseSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        var offsets = new List<(int Start, int End)>(ids.Capacity);
        foreach (var id in prefixIds)
        {
            ids.Add(id);
            offsets.Add((0, 0));
        }
        var spans = new List<TextSpan>();
        if (parseSpecialTokens) rawAddedTokens.Split(text, 0, text.Length, spans);
        else spans.Add(new TextSpan(0, text.Length, null));
        foreach (var span in spans)
        {
            if (span.Token is { } token)
            {
                ids.Add(token.Id);
                offsets.Add((span.Start, span.End));
            }
            else
            {
                EncodeOrdinaryText(text, span.Start, span.End, ids, offsets, parseSpecialTokens);
            }
        }
        foreach (var id in suffixIds)
        {
            ids.Add(id);
            offsets.Add((text.Length, text.Length));
        }
        return new EncodedText(ids.ToArray(), offsets.ToArray());
    }

    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (id < 0 || id >= bytesById.Length || bytesById[id] is not { } tokenBytes)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is not in the vocabulary of {Source} (size {VocabularySize}).");
            }
            bytes.AddRange(tokenBytes);
        }
        // Like HF's ByteLevel decoder: a byte sequence that is not valid UTF-8 decodes to U+FFFD.
        return Encoding.UTF8.GetString(CollectionsMarshalAsSpan(bytes));
    }

    /// <summary>
    /// The text <see cref="Decode"/> gives back for <paramref name="text"/>: ordinary text normalized (NFC for
    /// Qwen2-style files), added tokens as their content (whitespace an lstrip/rstrip token absorbs is dropped, as in HF).
    /// </summary>
    public string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        var spans = new List<TextSpan>();
        rawAddedTokens.Split(text, 0, text.Length, spans);
        var inner = new List<TextSpan>();
        foreach (var span in spans)
        {
            if (span.Token is { } token)
            {
                builder.Append(token.Content);
                continue;
            }
            var normalized = normalizer.Normalize(text[span.Start..span.End]);
            inner.Clear();
            normalizedAddedTokens.Split(normalized, 0, normalized.Length, inner);
            foreach (var piece in inner)
            {
                builder.Append(piece.Token is { } normalizedToken ? normalizedToken.Content : normalized.AsSpan(piece.Start, piece.End - piece.Start));
            }
        }
        return builder.ToString();
    }

    private void EncodeOrdinaryText(string text, int start, int end, List<int> ids, List<(int, int)> offsets, bool parseSpecialTokens)
    {
        var segment = NormalizedSegment.Create(text, start, end, normalizer);
        var tracker = new OffsetTracker(segment, start);
        var spans = new List<TextSpan>();
        if (parseSpecialTokens) normalizedAddedTokens.Split(segment.Text, 0, segment.Text.Length, spans);
        else spans.Add(new TextSpan(0, segment.Text.Length, null));
        var pieceIds = new List<int>();
        foreach (var span in spans)
        {
            if (span.Token is { } token)
            {
                ids.Add(token.Id);
                offsets.Add(tracker.Advance(OffsetTracker.Utf8Length(segment.Text, span.Start, span.End)));
                continue;
            }
            foreach (var (pieceStart, pieceEnd) in preTokenizer.Split(segment.Text, span.Start, span.End))
            {
                pieceIds.Clear();
                model.Encode(segment.Text[pieceStart..pieceEnd], pieceIds);
                var expected = OffsetTracker.Utf8Length(segment.Text, pieceStart, pieceEnd);
                var covered = 0;
                foreach (var id in pieceIds)
                {
                    var length = bytesById[id]!.Length;
                    covered += length;
                    ids.Add(id);
                    offsets.Add(tracker.Advance(length));
                }
                if (covered != expected)
                {
                    throw new InvalidOperationException(
                        $"BPE of piece \"{segment.Text[pieceStart..pieceEnd]}\" covered {covered} of its {expected} bytes ({Source}); refusing a partial encoding.");
                }
            }
        }
        if (!tracker.AtEnd)
        {
            throw new InvalidOperationException($"Encoding of text [{start}, {end}) did not consume the whole normalized segment ({Source}).");
        }
    }

    /// <summary>The raw bytes token <paramref name="id"/> stands for (a byte-level token may be part of a character).</summary>
    internal ReadOnlySpan<byte> BytesOf(int id) => bytesById[id];

    private static ReadOnlySpan<byte> CollectionsMarshalAsSpan(List<byte> bytes) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
}
