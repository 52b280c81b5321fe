namespace SeedGrains.Silo.Api;

/// <summary>Configuration section <c>Dashboard</c>: who may open the Orleans dashboard (it shows every tenant's grains).</summary>
public sealed class DashboardAccessOptions
{
    public const string Section = "Dashboard";

    /// <summary>Requests from this machine need no key (the embedded default: an operator on the box).</summary>
    public bool AllowLoopback { get; set; } = true;

    /// <summary>Operator key for everyone else, given as the password of HTTP Basic authentication (any user name). Unset: loopback only.</summary>
    public string? OperatorKey { get; set; }

    /// <summary>Serve <c>/dashboard/Trace</c>, which streams the silo's log (it can hold tenants' data): off unless set.</summary>
    public bool AllowTrace { get; set; }
}
