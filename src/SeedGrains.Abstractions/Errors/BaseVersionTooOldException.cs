namespace SeedGrains.Abstractions.Errors;

/// <summary>409: the edit's base version has left the session's change log, so it cannot be rebased; re-read and retry.</summary>
[GenerateSerializer]
public sealed class BaseVersionTooOldException : Exception
{
    public BaseVersionTooOldException() { }

    public BaseVersionTooOldException(string message) : base(message) { }

    public BaseVersionTooOldException(string message, Exception innerException) : base(message, innerException) { }

    public BaseVersionTooOldException(string message, long oldestBaseVersion, long currentVersion) : base(message) =>
        (OldestBaseVersion, CurrentVersion) = (oldestBaseVersion, currentVersion);

    /// <summary>The oldest base version the session can still rebase from.</summary>
    [Id(0)] public long OldestBaseVersion { get; set; }

    [Id(1)] public long CurrentVersion { get; set; }
}
