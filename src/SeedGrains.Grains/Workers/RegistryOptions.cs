namespace SeedGrains.Grains.Workers;

/// <summary>Configuration section <c>Registry</c>.</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    /// <summary>How often a silo re-announces its workers (bounds how long a re-activated registry stays empty).</summary>
    public double AnnounceIntervalSeconds { get; set; } = 10;

    /// <summary>How long a session's worker locator trusts its cached list of remote workers.</summary>
    public double ListCacheSeconds { get; set; } = 5;
}
