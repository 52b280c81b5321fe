namespace SeedGrains.Diffusion.Tokenization;

/// <summary>A stretch of text: either an added token's match (with any stripped whitespace) or ordinary text between matches.</summary>
internal readonly record struct TextSpan(int Start, int End, AddedToken? Token);

/// <summary>
/// Finds added tokens inside text the way HF's AddedVocabulary does: leftmost-longest matches, optional
/// left/right whitespace stripping into the match, optional whole-word-only matching.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<char, AddedToken[]> candidatesByFirstChar;

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        candidatesByFirstChar = tokens
            .Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public bool IsEmpty => candidatesByFirstChar.Count == 0;

    /// <summary>Cover [start, end) of <paramref name="text"/> with spans, in order, with no gaps.</summary>
    public void Split(string text, int start, int end, List<TextSpan> output)
    {
        if (IsEmpty)
        {
            if (end > start) output.Add(new TextSpan(start, end, null));
            return;
        }
        var pending = start;
        var i = start;
        while (i < end)
        {
            var match = MatchAt(text, i, start, end);
            if (match is null)
            {
                i++;
                continue;
            }
            var matchStart = i;
            var matchEnd = i + match.Content.Length;
            if (match.LeftStrip)
            {
                while (matchStart > pending && char.IsWhiteSpace(text[matchStart - 1])) matchStart--;
            }
            if (match.RightStrip)
            {
                while (matchEnd < end && char.IsWhiteSpace(text[matchEnd])) matchEnd++;
            }
            if (matchStart > pending)
            {
                output.Add(new TextSpan(pending, matchStart, null));
            }
            output.Add(new TextSpan(matchStart, matchEnd, match));
            pending = i = matchEnd;
        }
        if (pending < end)
        {
            output.Add(new TextSpan(pending, end, null));
        }
    }

    private AddedToken? MatchAt(string text, int i, int start, int end)
    {
        if (!candidatesByFirstChar.TryGetValue(text[i], out var candidates))
        {
            return null;
        }
        foreach (var candidate in candidates)
        {
            var length = candidate.Content.Length;
            if (i + length > end || !text.AsSpan(i, length).SequenceEqual(candidate.Content))
            {
                continue;
            }
            if (candidate.SingleWord && !IsWholeWord(text, i, i + length, start, end))
            {
                continue;
            }
            return candidate;
        }
        return null;
    }

    private static bool IsWholeWord(string text, int matchStart, int matchEnd, int start, int end)
    {
        var before = matchStart > start && IsWordChar(text[matchStart - 1]);
        var after = matchEnd < end && IsWordChar(text[matchEnd]);
        return !before && !after;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
