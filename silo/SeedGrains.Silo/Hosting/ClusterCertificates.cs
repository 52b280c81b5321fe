using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// The certificates of <see cref="ClusterTlsOptions"/>, loaded from their files: this silo's own (with its private key)
/// and the trust list for peers. Every problem is a <see cref="HostConfigurationException"/> naming the key.
/// </summary>
public sealed class ClusterCertificates
{
    private ClusterCertificates(X509Certificate2 local, X509Certificate2Collection trusted)
    {
        Local = local;
        Trusted = trusted;
        Trust = new PeerCertificateTrust(trusted);
    }

    public X509Certificate2 Local { get; }

    public X509Certificate2Collection Trusted { get; }

    public PeerCertificateTrust Trust { get; }

    public static ClusterCertificates Load(ClusterTlsOptions options, TimeProvider? time = null)
    {
        var path = options.CertificatePath;
        if (string.IsNullOrWhiteSpace(path))
            throw new HostConfigurationException($"{ClusterTlsOptions.Section}:CertificatePath is not set.");
        var local = LoadLocal(path, options.KeyPath, options.CertificatePassword);
        CheckUsable(local, path, time ?? TimeProvider.System);

        var trusted = new X509Certificate2Collection();
        if (string.IsNullOrWhiteSpace(options.TrustedCertificates))
        {
            trusted.Add(X509CertificateLoader.LoadCertificate(local.RawData)); // the public part only
        }
        else
        {
            foreach (var file in options.TrustedCertificates.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                trusted.AddRange(LoadPublic(file));
        }
        return new ClusterCertificates(local, trusted);
    }

    private static X509Certificate2 LoadLocal(string path, string? keyPath, string? password)
    {
        const string key = ClusterTlsOptions.Section + ":CertificatePath";
        Readable(path, key);
        try
        {
            if (IsPem(path))
            {
                var keyFile = string.IsNullOrWhiteSpace(keyPath) ? path : keyPath;
                Readable(keyFile, ClusterTlsOptions.Section + ":KeyPath");
                var pem = string.IsNullOrEmpty(password)
                    ? X509Certificate2.CreateFromPemFile(path, keyFile)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyFile);
                // SslStream on some platforms cannot use a PEM-loaded (ephemeral) key as a server; a PKCS#12 round trip fixes that.
                using (pem)
                    return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
            }
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            if (!certificate.HasPrivateKey)
                throw new HostConfigurationException($"{key} = '{path}' holds no private key.");
            return certificate;
        }
        catch (CryptographicException ex)
        {
            throw new HostConfigurationException($"{key} = '{path}' cannot be loaded ({ex.Message.TrimEnd('.')}); expected PKCS#12, or PEM with {ClusterTlsOptions.Section}:KeyPath (and {ClusterTlsOptions.Section}:CertificatePassword if encrypted).", ex);
        }
        catch (ArgumentException ex)
        {
            throw new HostConfigurationException($"{key} = '{path}' cannot be loaded ({ex.Message.TrimEnd('.')}).", ex);
        }
    }

    private static X509Certificate2Collection LoadPublic(string file)
    {
        const string key = ClusterTlsOptions.Section + ":TrustedCertificates";
        Readable(file, key);
        try
        {
            var certificates = new X509Certificate2Collection();
            if (IsPem(file)) certificates.ImportFromPemFile(file);
            else certificates.Add(X509CertificateLoader.LoadCertificateFromFile(file));
            if (certificates.Count == 0) throw new HostConfigurationException($"{key}: '{file}' holds no certificate.");
            return certificates;
        }
        catch (CryptographicException ex)
        {
            throw new HostConfigurationException($"{key}: '{file}' is not a PEM or DER certificate ({ex.Message.TrimEnd('.')}).", ex);
        }
    }

    private static void CheckUsable(X509Certificate2 certificate, string path, TimeProvider time)
    {
        const string key = ClusterTlsOptions.Section + ":CertificatePath";
        var now = time.GetUtcNow().UtcDateTime;
        if (now > certificate.NotAfter.ToUniversalTime())
            throw new HostConfigurationException($"{key} = '{path}' expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC.");
        if (now < certificate.NotBefore.ToUniversalTime())
            throw new HostConfigurationException($"{key} = '{path}' is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC.");
        // A silo is TLS server (its ports) and client (dialling other silos): an EKU extension must allow both.
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault()?.EnhancedKeyUsages;
        if (usages is not null)
        {
            var oids = usages.Cast<Oid>().Select(o => o.Value).ToHashSet();
            if (!oids.Contains("1.3.6.1.5.5.7.3.1") || !oids.Contains("1.3.6.1.5.5.7.3.2"))
                throw new HostConfigurationException($"{key} = '{path}': its extended key usage must include both server and client authentication.");
        }
    }

    private static void Readable(string path, string key)
    {
        if (!File.Exists(path)) throw new HostConfigurationException($"{key}: '{path}' does not exist.");
        try
        {
            using var _ = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new HostConfigurationException($"{key}: '{path}' cannot be read ({ex.Message.TrimEnd('.')}).", ex);
        }
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[4096];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        return new string(buffer, 0, read).Contains("-----BEGIN ", StringComparison.Ordinal);
    }
}
