namespace SeedGrains.Abstractions.Sessions;

/// <summary>What a <see cref="SessionEvent"/> carries.</summary>
[GenerateSerializer]
public enum SessionEventKind
{
    /// <summary>The whole document (the first event, and again whenever deltas cannot continue).</summary>
    Snapshot = 0,
    /// <summary>One version's change as replaced ranges of the previous version's text.</summary>
    Change = 1,
    /// <summary>Where a client's cursor and selection are.</summary>
    Presence = 2,
}
