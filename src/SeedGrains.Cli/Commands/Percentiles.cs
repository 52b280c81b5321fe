namespace SeedGrains.Cli.Commands;

/// <summary>Percentiles of benchmark samples (shared by the bench commands).</summary>
internal static class Percentiles
{
    /// <summary>Nearest-rank percentile; 0 for no samples.</summary>
    public static double NearestRank(IEnumerable<double> values, double percent)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return 0;
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
