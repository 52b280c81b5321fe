using DiffPlex;

namespace SeedGrains.Grains.Jobs;

/// <summary>
/// Lines with their line breaks kept, so that a last line without one differs from the same line with one — which is
/// exactly what a patch must express ("\ No newline at end of file").
/// </summary>
internal sealed class LineChunker : IChunker
{
    public static LineChunker Instance { get; } = new();

    public IReadOnlyList<string> Chunk(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var p = 0; p < text.Length; p++)
        {
            if (text[p] != '\n') continue;
            lines.Add(text[start..(p + 1)]);
            start = p + 1;
        }
        if (start < text.Length) lines.Add(text[start..]);
        return lines;
    }
}
