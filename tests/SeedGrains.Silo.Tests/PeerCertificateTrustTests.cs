using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using SeedGrains.Silo.Hosting;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Silo.Tests;

/// <summary>Which peer certificates a silo accepts on its cluster ports (<c>Orleans:Tls:TrustedCertificates</c>).</summary>
public sealed class PeerCertificateTrustTests : IDisposable
{
    private readonly TestCertificates _old = new("old CA");
    private readonly TestCertificates _new = new("new CA");

    [Fact]
    public void A_certificate_issued_by_a_trusted_CA_is_accepted_and_one_from_another_CA_is_not()
    {
        var trust = new PeerCertificateTrust([Public(_old.Authority)]);
        Assert.True(trust.IsTrusted(_old.Issue("silo-1")));
        Assert.False(trust.IsTrusted(_new.Issue("silo-2")));
    }

    [Fact]
    public void During_a_rotation_both_CAs_are_trusted()
    {
        var trust = new PeerCertificateTrust([Public(_old.Authority), Public(_new.Authority)]);
        Assert.True(trust.IsTrusted(_old.Issue("not yet rotated")));
        Assert.True(trust.IsTrusted(_new.Issue("rotated")));
    }

    [Fact]
    public void A_pinned_peer_certificate_is_accepted_only_while_it_is_valid()
    {
        var peer = _old.Issue("pinned", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var trust = new PeerCertificateTrust([Public(peer)], time);
        Assert.True(trust.IsTrusted(peer));
        Assert.False(trust.IsTrusted(_old.Issue("another leaf of the same CA")), "pinning a leaf must not trust its CA");

        time.Advance(TimeSpan.FromDays(31));
        Assert.False(trust.IsTrusted(peer));
    }

    [Fact]
    public void A_certificate_from_a_trusted_CA_is_refused_after_it_expired()
    {
        var peer = _old.Issue("short-lived", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var trust = new PeerCertificateTrust([Public(_old.Authority)], time);
        Assert.True(trust.IsTrusted(peer));

        time.Advance(TimeSpan.FromDays(3));
        Assert.False(trust.IsTrusted(peer));
    }

    [Fact]
    public void The_silo_refuses_an_expired_certificate_of_its_own_naming_the_key()
    {
        var expired = _old.Issue("expired", DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        var path = _old.WritePfx(expired, "expired", "pw");
        var error = Assert.Throws<HostConfigurationException>(() =>
            ClusterCertificates.Load(new ClusterTlsOptions { CertificatePath = path, CertificatePassword = "pw" }));
        Assert.Contains("Orleans:Tls:CertificatePath", error.Message, StringComparison.Ordinal);
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_trust_list_only_the_silo_s_own_certificate_is_trusted()
    {
        var own = _old.Issue("shared cluster certificate");
        var (certificate, key) = _old.WritePem(own, "shared");
        var loaded = ClusterCertificates.Load(new ClusterTlsOptions { CertificatePath = certificate, KeyPath = key });
        Assert.True(loaded.Local.HasPrivateKey);
        Assert.True(loaded.Trust.IsTrusted(own));
        Assert.False(loaded.Trust.IsTrusted(_old.Issue("another leaf of the same CA")));
    }

    private static X509Certificate2 Public(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);

    public void Dispose()
    {
        _old.Dispose();
        _new.Dispose();
    }
}
