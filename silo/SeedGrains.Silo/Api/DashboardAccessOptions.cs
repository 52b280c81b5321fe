namespace SeedGrains.Silo.Api;

/// <summary>Configuration section <c>Dashboard</c>: who may open the Orleans dashboard (it shows every tenant's grains).</summary>
public sealed class DashboardAccessOptions
{
    public const string Section = "Dashboard";

    /// <summary>
    /// Requests from this machine need no key. Unset: true on embedded defaults (an operator on the box), false on
    /// PostgreSQL, where the operator key (<see cref="OperatorOptions"/>) is the only way in.
    /// </summary>
    public bool? AllowLoopback { get; set; }

    /// <summary>Older single operator key; still accepted, as one more of <c>Admin:OperatorKeys</c>.</summary>
    public string? OperatorKey { get; set; }

    /// <summary>Serve <c>/dashboard/Trace</c>, which streams the silo's log (it can hold tenants' data): off unless set.</summary>
    public bool AllowTrace { get; set; }
}
