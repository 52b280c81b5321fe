namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Identities for masked positions, unique in the process: a mask keeps its identity when edits move it or split its
/// region, so a step computed before an edit can still find the masks it filled (<see cref="DocumentCanvas.Apply"/>).
/// </summary>
internal static class MaskIdentity
{
    private static long _last;

    /// <summary><paramref name="count"/> new identities, one per position.</summary>
    public static long[] Fresh(int count)
    {
        var first = Interlocked.Add(ref _last, count) - count + 1;
        var ids = new long[count];
        for (var i = 0; i < count; i++) ids[i] = first + i;
        return ids;
    }
}
