namespace SeedGrains.Diffusion.Evaluation;

/// <summary>The files an evaluation task samples from: sorted first, so their shuffled order depends on the seed alone.</summary>
internal static class DataFiles
{
    /// <summary>Every file matching <paramref name="pattern"/> under the folder, shuffled by <paramref name="rng"/>.</summary>
    public static string[] Shuffled(string dataDirectory, string pattern, Random rng)
    {
        if (!Directory.Exists(dataDirectory)) throw new DirectoryNotFoundException($"data directory not found: {dataDirectory}");
        var files = Directory.EnumerateFiles(dataDirectory, pattern, SearchOption.AllDirectories)
            .OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new InvalidDataException($"no {pattern} files under {dataDirectory}");
        rng.Shuffle(files);
        return files;
    }
}
