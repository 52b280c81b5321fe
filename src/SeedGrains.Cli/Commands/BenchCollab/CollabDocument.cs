namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>The shared document: whole lines of a source file, repeated as needed, cut to about the asked size.</summary>
internal static class CollabDocument
{
    public static string Build(string source, int kilobytes)
    {
        if (kilobytes < 1) throw new ArgumentException($"--doc-kb must be ≥ 1, not {kilobytes}");
        var lines = File.ReadAllLines(source);
        if (lines.All(string.IsNullOrWhiteSpace)) throw new InvalidOperationException($"{source} has no text");
        var target = kilobytes * 1024;
        var text = new System.Text.StringBuilder(target + 256);
        for (var i = 0; text.Length < target; i = (i + 1) % lines.Length)
            text.Append(lines[i]).Append('\n');
        return text.ToString();
    }

    /// <summary>The start of the line nearest the middle of <paramref name="text"/>: where the model's region goes.</summary>
    public static int MiddleLineStart(string text)
    {
        if (text.Length == 0) return 0;
        var newline = text.LastIndexOf('\n', Math.Max(0, text.Length / 2 - 1));
        return newline < 0 ? 0 : newline + 1;
    }
}
