namespace SeedGrains.Grains.Usage;

/// <summary>Configuration section <c>Usage</c>: how long hourly usage is kept.</summary>
public sealed class UsageOptions
{
    public const string Section = "Usage";

    /// <summary>Hours older than this are dropped when the tenant's usage is next written (bounds the stored state).</summary>
    public int RetentionDays { get; set; } = 90;
}
