namespace SeedGrains.Silo.Hosting;

/// <summary>Whether silo-to-silo and client-to-gateway connections use mutual TLS (<c>Orleans:Tls:Mode</c>).</summary>
public enum ClusterTlsMode
{
    /// <summary>
    /// TLS when a certificate is configured; without one, embedded defaults run in plain TCP on loopback, and a silo
    /// on PostgreSQL (whose ports other hosts reach) refuses to start.
    /// </summary>
    Auto,

    /// <summary>TLS always: a silo without a certificate refuses to start.</summary>
    Required,

    /// <summary>Plain TCP even on PostgreSQL: the operator's explicit opt-out, logged as a warning at every start.</summary>
    Disabled,
}
