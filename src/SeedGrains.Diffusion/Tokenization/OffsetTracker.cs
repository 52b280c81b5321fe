namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// Turns the byte lengths of consecutive tokens over a <see cref="NormalizedSegment"/> into contiguous
/// [start, end) ranges of the original text. A unit (code point, or normalized cluster) belongs to the token
/// holding its last byte; a token that only holds leading bytes of a unit gets an empty range at its start.
/// So the text a prefix of tokens decodes to is exactly the original text up to the last token's end.
/// </summary>
internal sealed class OffsetTracker
{
    private readonly NormalizedSegment segment;
    private int charIndex;
    private int bytesIntoChar;
    private int cursor;

    public OffsetTracker(NormalizedSegment segment, int originalStart)
    {
        this.segment = segment;
        cursor = originalStart;
    }

    public (int Start, int End) Advance(int byteCount)
    {
        var start = cursor;
        var text = segment.Text;
        var remaining = byteCount;
        while (remaining > 0)
        {
            if (charIndex >= text.Length)
            {
                throw new InvalidOperationException($"Token bytes run past the end of the text segment ({byteCount} bytes requested).");
            }
            var charBytes = Utf8Length(text, charIndex);
            var take = Math.Min(remaining, charBytes - bytesIntoChar);
            bytesIntoChar += take;
            remaining -= take;
            if (bytesIntoChar == charBytes)
            {
                if (segment.OriginalEnds[charIndex] >= 0)
                {
                    cursor = segment.OriginalEnds[charIndex];
                }
                charIndex++;
                bytesIntoChar = 0;
            }
        }
        return (start, cursor);
    }

    public bool AtEnd => charIndex == segment.Text.Length && bytesIntoChar == 0;

    /// <summary>UTF-8 bytes that char <paramref name="i"/> contributes; a surrogate pair splits its 4 bytes 2 + 2.</summary>
    internal static int Utf8Length(string text, int i)
    {
        var c = text[i];
        if (c < 0x80) return 1;
        if (c < 0x800) return 2;
        if (char.IsHighSurrogate(c)) return i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 3;
        if (char.IsLowSurrogate(c)) return i > 0 && char.IsHighSurrogate(text[i - 1]) ? 2 : 3;
        return 3;
    }

    internal static int Utf8Length(string text, int start, int end)
    {
        var total = 0;
        for (var i = start; i < end; i++) total += Utf8Length(text, i);
        return total;
    }
}
