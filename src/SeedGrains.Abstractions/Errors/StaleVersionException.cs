namespace SeedGrains.Abstractions.Errors;

/// <summary>409: the edit's base version is not the session's current version.</summary>
[GenerateSerializer]
public sealed class StaleVersionException : Exception
{
    public StaleVersionException() { }

    public StaleVersionException(string message) : base(message) { }

    public StaleVersionException(string message, Exception innerException) : base(message, innerException) { }

    public StaleVersionException(string message, long currentVersion) : base(message) => CurrentVersion = currentVersion;

    /// <summary>The session's version when the edit arrived.</summary>
    [Id(0)]
    public long CurrentVersion { get; set; }
}
