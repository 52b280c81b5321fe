using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Jobs;

/// <summary>
/// What a job regenerates in each file. <see cref="Find"/> answers the file's regions, ordered and non-overlapping
/// (overlapping or touching matches are merged); none means the file is left out of the job.
/// </summary>
public abstract class JobSelection
{
    /// <summary>How the client said it (e.g. "regex:…"), shown back on the job.</summary>
    public abstract string Description { get; }

    /// <summary>The regions of <paramref name="text"/>; <paramref name="ranges"/> are the file's explicit ranges, if it came with any.</summary>
    public abstract IReadOnlyList<TextRegion> Find(string text, IReadOnlyList<TextRegion>? ranges);

    /// <summary>Sorts, drops empty ranges and merges overlapping or touching ones (a session takes non-overlapping regions).</summary>
    internal static IReadOnlyList<TextRegion> Normalize(IEnumerable<(int Start, int End)> ranges)
    {
        var merged = new List<TextRegion>();
        foreach (var (start, end) in ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start))
        {
            if (merged.Count > 0 && start <= merged[^1].End)
            {
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, end) };
                continue;
            }
            merged.Add(new TextRegion(start, end));
        }
        return merged;
    }
}
