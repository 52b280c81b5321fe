namespace SeedGrains.Grains.Sessions;

/// <summary>Where a session's state is stored: the grain's persistent state, or a fake in tests.</summary>
internal interface ISessionStateStore
{
    /// <summary>The state as last read or written (what the next write stores).</summary>
    SessionState State { get; set; }

    bool RecordExists { get; }

    /// <summary>Writes <see cref="State"/>; an InconsistentStateException means another activation wrote since (ETag).</summary>
    Task Write();

    Task Clear();
}
