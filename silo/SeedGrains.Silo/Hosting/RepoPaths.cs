namespace SeedGrains.Silo.Hosting;

/// <summary>Default locations relative to the repository (found by walking up to SeedGrains.sln).</summary>
internal static class RepoPaths
{
    public static string DefaultModelPath()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SeedGrains.sln")))
                    return Path.Combine(dir.FullName, "models", "diffusion");
            }
        }
        return Path.Combine(Directory.GetCurrentDirectory(), "models", "diffusion");
    }
}
