using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>
/// A person typing at a random place of their local text: half the time an insertion of 1–6 letters, else a deletion
/// or a replacement of 1–8 characters. Never splits a surrogate pair (an invalid range for the server).
/// </summary>
internal static class RandomTyping
{
    public static ReplacedRange Next(string text, Random random)
    {
        var start = Boundary(text, random.Next(text.Length + 1));
        var kind = random.Next(4);
        if (kind < 2 || start == text.Length) return new ReplacedRange(start, start, Letters(random));
        var end = Boundary(text, Math.Min(text.Length, start + random.Next(1, 9)));
        if (end == start) return new ReplacedRange(start, start, Letters(random));
        return new ReplacedRange(start, end, kind == 2 ? "" : Letters(random));
    }

    private static string Letters(Random random) =>
        string.Create(random.Next(1, 7), random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = (char)('a' + r.Next(26));
        });

    /// <summary>The offset, moved back off the middle of a surrogate pair.</summary>
    private static int Boundary(string text, int offset) =>
        offset > 0 && offset < text.Length && char.IsLowSurrogate(text[offset]) && char.IsHighSurrogate(text[offset - 1]) ? offset - 1 : offset;
}
