using System.Security.Cryptography.X509Certificates;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Decides whether a peer's certificate belongs to the cluster: it is one of the trusted certificates itself (pinned),
/// or it chains to one of them as a root. The platform's own CA store plays no part — a certificate from a public CA
/// must not open the cluster — and host names are not checked, because silos dial each other by IP address.
/// </summary>
public sealed class PeerCertificateTrust
{
    private readonly X509Certificate2Collection _trusted;
    private readonly TimeProvider _time;

    public PeerCertificateTrust(X509Certificate2Collection trusted, TimeProvider? time = null)
    {
        if (trusted.Count == 0) throw new ArgumentException("at least one trusted certificate is needed", nameof(trusted));
        _trusted = trusted;
        _time = time ?? TimeProvider.System;
    }

    public bool IsTrusted(X509Certificate2 peer, X509Chain? presented = null)
    {
        foreach (var trusted in _trusted)
        {
            if (trusted.RawDataMemory.Span.SequenceEqual(peer.RawDataMemory.Span)) return InValidity(peer);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        chain.ChainPolicy.ExtraStore.AddRange(_trusted);
        // Intermediates the peer sent along.
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().LocalDateTime;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(peer);
    }

    private bool InValidity(X509Certificate2 certificate)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return certificate.NotBefore.ToUniversalTime() <= now && now <= certificate.NotAfter.ToUniversalTime();
    }
}
