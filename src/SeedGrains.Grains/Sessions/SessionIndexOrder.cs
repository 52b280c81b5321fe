using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>List order of a session index: newest first, ties by id, so every entry has one stable position.</summary>
internal sealed class SessionIndexOrder : IComparer<SessionSummary>
{
    public static SessionIndexOrder Instance { get; } = new();

    public int Compare(SessionSummary? x, SessionSummary? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var byCreated = y.Created.UtcTicks.CompareTo(x.Created.UtcTicks);
        return byCreated != 0 ? byCreated : string.CompareOrdinal(x.Id, y.Id);
    }
}
