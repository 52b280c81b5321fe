namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Configuration section <c>Orleans:Tls</c>: the certificate this silo presents on its silo and gateway ports (and to
/// the silos it dials), and which peer certificates it accepts. Read once at start-up; see docs/operations.md
/// ("Security") for rotation.
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string Section = "Orleans:Tls";

    public ClusterTlsMode Mode { get; set; } = ClusterTlsMode.Auto;

    /// <summary>This silo's certificate: a PKCS#12 file (.pfx/.p12), or a PEM certificate with its key in <see cref="KeyPath"/>.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/> (unset: the key is in the same file).</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of the PKCS#12 file or of an encrypted PEM key.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// PEM or DER files, separated by <c>;</c>, each holding CA or peer certificates: a peer is accepted when its
    /// certificate chains to one of these CAs or is one of them. Unset: only peers presenting this silo's own
    /// certificate are accepted (one certificate shared by the whole cluster).
    /// </summary>
    public string? TrustedCertificates { get; set; }
}
