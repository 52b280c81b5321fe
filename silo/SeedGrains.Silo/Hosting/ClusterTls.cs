using Orleans.Connections.Security;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Mutual TLS on the silo's Orleans ports (<c>Orleans:Tls</c>): both ends present a certificate and both check the
/// other's against the trust list, on silo-to-silo and on client-to-gateway connections. Without it any process that
/// reaches the gateway could call any grain (create tenants and keys, read sessions).
/// </summary>
public static class ClusterTls
{
    /// <summary>Applies <c>Orleans:Tls</c> to the silo; <paramref name="durable"/> = on PostgreSQL (TLS required unless disabled).</summary>
    internal static void Configure(ISiloBuilder silo, IConfiguration configuration, bool durable)
    {
        var options = Read(configuration);
        var configured = !string.IsNullOrWhiteSpace(options.CertificatePath);
        if (options.Mode == ClusterTlsMode.Disabled)
        {
            if (durable) silo.Services.AddHostedService<ClusterTlsDisabledWarning>();
            return;
        }
        if (!configured)
        {
            if (options.Mode == ClusterTlsMode.Required || durable)
                throw new HostConfigurationException(
                    $"{ClusterTlsOptions.Section}:CertificatePath is not set: {(durable ? "a silo on PostgreSQL" : $"{ClusterTlsOptions.Section}:Mode=Required")} needs mutual TLS on its cluster ports (or opt out with {ClusterTlsOptions.Section}:Mode=Disabled).");
            return;
        }
        var certificates = ClusterCertificates.Load(options);
        silo.UseTls(tls => UseMutualTls(tls, certificates));
    }

    /// <summary>
    /// The TLS settings of a cluster member or client: present <paramref name="certificates"/>' own certificate and
    /// require and check the peer's. An Orleans client uses the same: <c>clientBuilder.UseTls(t =&gt; ClusterTls.UseMutualTls(t, certificates))</c>.
    /// </summary>
    public static void UseMutualTls(TlsOptions tls, ClusterCertificates certificates)
    {
        tls.LocalCertificate = certificates.Local;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.RemoteCertificateValidation = (certificate, chain, _) => certificates.Trust.IsTrusted(certificate, chain);
    }

    /// <summary><c>Orleans:Tls</c> with a readable error for a bad <c>Mode</c>.</summary>
    public static ClusterTlsOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(ClusterTlsOptions.Section);
        var mode = section["Mode"];
        var parsed = ClusterTlsMode.Auto;
        if (!string.IsNullOrWhiteSpace(mode) && (!Enum.TryParse(mode, ignoreCase: true, out parsed) || !Enum.IsDefined(parsed)))
            throw new HostConfigurationException($"{ClusterTlsOptions.Section}:Mode = '{mode}' must be Auto, Required or Disabled.");
        return new ClusterTlsOptions
        {
            Mode = parsed,
            CertificatePath = section["CertificatePath"],
            KeyPath = section["KeyPath"],
            CertificatePassword = section["CertificatePassword"],
            TrustedCertificates = section["TrustedCertificates"],
        };
    }
}
