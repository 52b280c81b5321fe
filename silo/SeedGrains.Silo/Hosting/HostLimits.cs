namespace SeedGrains.Silo.Hosting;

/// <summary>Configuration section <c>Limits</c>: request limits enforced by the HTTP layer (tenant quotas may be lower).</summary>
public sealed class HostLimits
{
    public const string Section = "Limits";

    /// <summary>Longest document (UTF-16 code units) a session may hold.</summary>
    public int MaxTextChars { get; set; } = 200_000;

    /// <summary>How long a non-streaming completion may take before the request fails with 503.</summary>
    public double CompletionTimeoutSeconds { get; set; } = 120;
}
