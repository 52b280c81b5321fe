namespace SeedGrains.Diffusion.Tokenization;

/// <summary>The offset contract: ranges are in order, touch end to start, and cover [0, text length) exactly.</summary>
public static class OffsetCheck
{
    /// <summary>Null when the ranges tile the text; otherwise what is wrong, naming the token.</summary>
    public static string? FindProblem(IReadOnlyList<(int Start, int End)> offsets, int textLength)
    {
        var cursor = 0;
        for (var i = 0; i < offsets.Count; i++)
        {
            var (start, end) = offsets[i];
            if (start != cursor) return $"token {i} starts at {start}, expected {cursor}";
            if (end < start || end > textLength) return $"token {i} has range [{start}, {end}) outside [0, {textLength}]";
            cursor = end;
        }
        return cursor == textLength ? null : $"offsets end at {cursor}, text has {textLength} characters";
    }
}
