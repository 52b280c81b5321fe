using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using SeedGrains.Silo.Hosting;
using SeedGrains.Tests.Fakes;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// Configuration mistakes are refused by <see cref="SeedGrainsHost.Build"/> — before anything starts or the model
/// loads — with a <see cref="HostConfigurationException"/> naming the key (Program.cs prints it as one line, exit 2).
/// </summary>
public sealed class StartupValidationTests
{
    private const string Postgres = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none";

    [Fact]
    public void A_silo_port_held_by_a_running_silo_is_refused_naming_the_port()
    {
        // Bound as Orleans binds its listeners (ReuseAddress, i.e. SO_REUSEPORT on Linux): a second bind would succeed.
        using var running = Listen(IPAddress.Loopback, reuseAddress: true);
        var port = ((IPEndPoint)running.LocalEndPoint!).Port;
        var error = Refused($"--Orleans:SiloPort={port}");
        Assert.Contains("Orleans:SiloPort", error, StringComparison.Ordinal);
        Assert.Contains(port.ToString(), error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_silo_on_the_ports_of_a_running_silo_is_refused()
    {
        var siloPort = TestPorts.Next();
        var gatewayPort = TestPorts.Next();
        await using var running = Build($"--Orleans:SiloPort={siloPort}", $"--Orleans:GatewayPort={gatewayPort}");
        await running.StartAsync();
        try
        {
            Assert.Contains($"port {siloPort}", Refused($"--Orleans:SiloPort={siloPort}"), StringComparison.Ordinal);
            Assert.Contains($"port {gatewayPort}", Refused($"--Orleans:GatewayPort={gatewayPort}"), StringComparison.Ordinal);
        }
        finally
        {
            await running.StopAsync();
        }
    }

    [Fact]
    public void A_gateway_port_in_use_is_refused_naming_the_port()
    {
        using var running = Listen(IPAddress.Loopback, reuseAddress: true);
        var port = ((IPEndPoint)running.LocalEndPoint!).Port;
        var error = Refused($"--Orleans:GatewayPort={port}");
        Assert.Contains("Orleans:GatewayPort", error, StringComparison.Ordinal);
        Assert.Contains(port.ToString(), error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_HTTP_port_in_use_is_refused_before_the_host_starts()
    {
        using var running = Listen(IPAddress.Loopback, reuseAddress: false);
        var port = ((IPEndPoint)running.LocalEndPoint!).Port;
        var error = Refused($"--Urls=http://127.0.0.1:{port}");
        Assert.Contains("Urls", error, StringComparison.Ordinal);
        Assert.Contains(port.ToString(), error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Urls=not a url", "Urls")]
    [InlineData("--Urls=ftp://127.0.0.1:5080", "Urls")]
    [InlineData("--Orleans:SiloPort=70000", "Orleans:SiloPort")]
    [InlineData("--Orleans:GatewayPort=abc", "Orleans:GatewayPort")]
    [InlineData("--Orleans:Tls:Mode=Sometimes", "Orleans:Tls:Mode")]
    [InlineData("--Orleans:Tls:CertificatePath=/no/such/cert.pfx", "Orleans:Tls:CertificatePath")]
    public void A_bad_value_is_refused_naming_its_key(string argument, string key)
    {
        Assert.Contains(key, Refused(argument), StringComparison.Ordinal);
    }

    [Fact]
    public void A_silo_on_PostgreSQL_without_a_certificate_refuses_to_start()
    {
        var error = Refused($"--Postgres:ConnectionString={Postgres}", "--Orleans:AdvertisedIP=127.0.0.1");
        Assert.Contains("Orleans:Tls:CertificatePath", error, StringComparison.Ordinal);
        Assert.Contains("Orleans:Tls:Mode=Disabled", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_on_PostgreSQL_may_opt_out_of_TLS_explicitly_and_is_warned()
    {
        await using var app = Build($"--Postgres:ConnectionString={Postgres}", "--Orleans:AdvertisedIP=127.0.0.1", "--Orleans:Tls:Mode=Disabled");
        Assert.Contains(app.Services.GetServices<IHostedService>(), s => s.GetType().Name == "ClusterTlsDisabledWarning");
    }

    [Fact]
    public async Task A_silo_on_PostgreSQL_with_a_certificate_builds()
    {
        using var authority = new TestCertificates();
        var (certificate, key) = authority.WritePem(authority.Issue("silo"), "silo");
        await using var app = Build($"--Postgres:ConnectionString={Postgres}", "--Orleans:AdvertisedIP=127.0.0.1",
            $"--Orleans:Tls:CertificatePath={certificate}", $"--Orleans:Tls:KeyPath={key}", $"--Orleans:Tls:TrustedCertificates={authority.AuthorityPath}");
        Assert.DoesNotContain(app.Services.GetServices<IHostedService>(), s => s.GetType().Name == "ClusterTlsDisabledWarning");
    }

    [Fact]
    public async Task Embedded_defaults_listen_on_loopback_and_open_no_gateway()
    {
        await using var app = Build();
        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(0, endpoints.GatewayPort);
        Assert.Equal(IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        Assert.False(SeedGrainsHost.Defaults.ContainsKey("Orleans:GatewayPort"));
    }

    [Fact]
    public async Task A_configured_gateway_port_is_opened()
    {
        var port = TestPorts.Next();
        await using var app = Build($"--Orleans:GatewayPort={port}");
        Assert.Equal(port, app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value.GatewayPort);
    }

    [Theory]
    [InlineData("--Model:Dtype=float16", "Model:Dtype")]
    [InlineData("--Model:Path=/no/such/model/folder", "Model:Path")]
    public void The_real_model_s_settings_are_checked_before_it_loads(string argument, string key)
    {
        // No fake model: the real loader would run when the silo starts; the mistake must be found before.
        var error = Assert.Throws<HostConfigurationException>(() => SeedGrainsHost.Build([.. FreePorts(), argument])).Message;
        Assert.Contains(key, error, StringComparison.Ordinal);
    }

    private static string Refused(params string[] args) =>
        Assert.Throws<HostConfigurationException>(() => Build(args)).Message;

    private static WebApplication Build(params string[] args) =>
        SeedGrainsHost.Build([.. FreePorts(), "--Logging:LogLevel:Default=Warning", .. args],
            services => services.AddSingleton(FakeModel.Factory(new FakeStepper())));

    /// <summary>Free ports for everything, so only the argument under test can be wrong (later arguments win).</summary>
    private static string[] FreePorts() =>
        ["--Urls=http://127.0.0.1:0", $"--Orleans:SiloPort={TestPorts.Next()}", $"--Orleans:ClusterId=startup-{Guid.NewGuid():N}"];

    private static Socket Listen(IPAddress address, bool reuseAddress)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (reuseAddress) socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(address, 0));
        socket.Listen();
        return socket;
    }
}
