using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Silo.Hosting;
using SeedGrains.Tests.Fakes;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// The gateway of a silo with <c>Orleans:Tls</c> configured: an Orleans client must present a certificate the silo
/// trusts before it can call any grain. Without TLS any process reaching the port could add API keys to any tenant.
/// </summary>
public sealed class ClusterTlsTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private readonly TestCertificates _cluster = new("cluster CA");
    private readonly TestCertificates _rogue = new("rogue CA");
    private readonly string _clusterId = $"tls-{Guid.NewGuid():N}";
    private readonly int _gatewayPort = TestPorts.Next();
    private readonly FakeStepper _stepper = new();
    private WebApplication? _silo;
    private HttpClient? _http;

    public async Task InitializeAsync()
    {
        var (certificate, key) = _cluster.WritePem(_cluster.Issue("silo"), "silo");
        _silo = SeedGrainsHost.Build(
        [
            "--Urls=http://127.0.0.1:0",
            $"--Orleans:SiloPort={TestPorts.Next()}",
            $"--Orleans:GatewayPort={_gatewayPort}",
            $"--Orleans:ClusterId={_clusterId}",
            $"--Orleans:Tls:CertificatePath={certificate}",
            $"--Orleans:Tls:KeyPath={key}",
            $"--Orleans:Tls:TrustedCertificates={_cluster.AuthorityPath}",
            "--Orleans:Tls:Mode=Required",
            $"--DEV_API_KEY={SiloHost.DevKey}",
            "--Logging:LogLevel:Default=Warning",
        ], services => services.AddSingleton(FakeModel.Factory(_stepper)));
        await _silo.StartAsync();
        var address = _silo.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(120) };
    }

    [Fact]
    public async Task A_client_with_a_certificate_from_the_cluster_CA_can_call_grains()
    {
        var certificate = _cluster.Issue("operator tool");
        using var client = await Client(Trusting(_cluster, certificate));

        // Any grain call: here the one an intruder would want, giving a tenant a new API key.
        const string key = "added-over-the-gateway-0123456789";
        await client.Services.GetRequiredService<IClusterClient>().GetGrain<ITenantGrain>("dev").AddApiKey(key);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sessions/none-such");
        request.Headers.Authorization = new("Bearer", key);
        using var response = await _http!.SendAsync(request);
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode); // the key works: it was added
    }

    [Fact]
    public async Task A_client_without_a_certificate_cannot_connect()
    {
        await Assert.ThrowsAsync<ConnectionFailedException>(() => Client(configureTls: null));
    }

    [Fact]
    public async Task A_client_with_a_certificate_from_another_CA_cannot_connect()
    {
        // It trusts the silo (so only the silo's refusal can stop it), but its own certificate is not the cluster's.
        var intruder = _rogue.Issue("intruder");
        await Assert.ThrowsAsync<ConnectionFailedException>(() => Client(Trusting(_cluster, intruder)));
    }

    [Fact]
    public async Task A_client_that_presents_the_cluster_CA_certificate_itself_without_its_key_cannot_connect()
    {
        // A self-signed certificate that copies the CA's name is not the CA.
        using var forged = new TestCertificates("cluster CA");
        await Assert.ThrowsAsync<ConnectionFailedException>(() => Client(Trusting(_cluster, forged.Issue("forged"))));
    }

    private static Action<Orleans.Hosting.IClientBuilder> Trusting(TestCertificates authority, System.Security.Cryptography.X509Certificates.X509Certificate2 own)
    {
        var certificates = ClusterCertificates.Load(new ClusterTlsOptions
        {
            CertificatePath = authority.WritePfx(own, $"client-{Guid.NewGuid():N}", "pw"),
            CertificatePassword = "pw",
            TrustedCertificates = authority.AuthorityPath,
        });
        return client => client.UseTls(tls => ClusterTls.UseMutualTls(tls, certificates));
    }

    /// <summary>A started Orleans client host on this silo's gateway (throws if it cannot connect; a hang past the deadline is a TimeoutException).</summary>
    private async Task<IHost> Client(Action<Orleans.Hosting.IClientBuilder>? configureTls)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(_gatewayPort, serviceId: "seedgrains", clusterId: _clusterId);
            // One attempt: a refused client fails its start instead of retrying for ever.
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            configureTls?.Invoke(client);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(Deadline);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        _stepper.Gate.Set();
        _http?.Dispose();
        if (_silo is not null)
        {
            await _silo.StopAsync();
            await _silo.DisposeAsync();
        }
        _cluster.Dispose();
        _rogue.Dispose();
    }
}
