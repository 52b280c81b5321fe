namespace SeedGrains.Silo.Api;

/// <summary>Configuration section <c>Auth:FailureThrottle</c>: how many failed authentications a client address may make.</summary>
public sealed class AuthFailureThrottleOptions
{
    public const string Section = "Auth:FailureThrottle";

    /// <summary>Failed authentications per minute per client address before it gets 429 (refilled evenly); 0 = off.</summary>
    public int FailuresPerMinute { get; set; } = 20;

    /// <summary>
    /// Loopback clients (the machine itself, local tools and tests) are not throttled. Behind a reverse proxy on the same
    /// machine every client looks like loopback: set this to false there.
    /// </summary>
    public bool ExemptLoopback { get; set; } = true;
}
