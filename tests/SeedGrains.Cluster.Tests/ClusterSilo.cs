using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SeedGrains.Silo.Hosting;
using SeedGrains.Tests.Fakes;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Cluster.Tests;

/// <summary>
/// One real silo host (<see cref="SeedGrainsHost.Build"/>: Kestrel + Orleans on free loopback ports) on PostgreSQL,
/// serving its own <see cref="FakeStepper"/>, with failure detection and reminder periods shortened so a failover
/// takes seconds rather than the production minute. Silo-to-silo and gateway traffic use mutual TLS, as a PostgreSQL
/// deployment must: every silo gets its own certificate from one throwaway CA that all of them trust.
/// </summary>
internal sealed class ClusterSilo : IAsyncDisposable
{
    public const string DevKey = "cluster-test-dev-key-0123456789";

    /// <summary>Steps between denoising checkpoints in these tests (the production default is 16).</summary>
    public const int CheckpointEverySteps = 4;

    /// <summary>The cluster's CA for this test run (certificates are made at run time, never checked in).</summary>
    private static readonly Lazy<TestCertificates> Authority = new(() =>
    {
        var authority = new TestCertificates("cluster tests CA");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => authority.Dispose(); // its temporary folder
        return authority;
    });

    private readonly WebApplication _app;
    private bool _stopped;

    private ClusterSilo(string name, WebApplication app, FakeStepper stepper, HttpClient client)
    {
        Name = name;
        _app = app;
        Stepper = stepper;
        Client = client;
    }

    public string Name { get; }

    public FakeStepper Stepper { get; }

    public HttpClient Client { get; }

    /// <summary>The host's services (e.g. its grain factory, to ask the cluster about itself).</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<ClusterSilo> Start(string name, string connectionString, string clusterId, FakeStepper stepper, params string[] extraArgs)
    {
        var (certificate, key) = Authority.Value.WritePem(Authority.Value.Issue($"silo {name}"), $"silo-{name}-{Guid.NewGuid():N}");
        string[] args =
        [
            "--Urls=http://127.0.0.1:0",
            $"--Orleans:SiloPort={TestPorts.Next()}",
            $"--Orleans:GatewayPort={TestPorts.Next()}",
            "--Orleans:AdvertisedIP=127.0.0.1",
            $"--Orleans:ClusterId={clusterId}",
            "--Orleans:ServiceId=cluster-tests",
            $"--Postgres:ConnectionString={connectionString}",
            $"--Orleans:Tls:CertificatePath={certificate}",
            $"--Orleans:Tls:KeyPath={key}",
            $"--Orleans:Tls:TrustedCertificates={Authority.Value.AuthorityPath}",
            $"--DEV_API_KEY={DevKey}",
            // Declare a dead silo within a few seconds (production: ~10-30 s).
            "--Silo:Membership:ProbeTimeout=00:00:01",
            "--Silo:Membership:NumMissedProbesLimit=2",
            "--Silo:Membership:NumVotesForDeathDeclaration=1",
            "--Silo:Membership:TableRefreshTimeout=00:00:01",
            "--Silo:Membership:IAmAliveTablePublishTimeout=00:00:02",
            "--Silo:Messaging:ResponseTimeout=00:00:05",
            // Reminders every 2 s (Orleans' minimum is 1 minute unless lowered).
            "--Silo:Reminders:MinimumReminderPeriod=00:00:01",
            "--Sessions:ResumeReminderSeconds=2",
            $"--Sessions:CheckpointEverySteps={CheckpointEverySteps}",
            "--Sessions:CheckpointIntervalSeconds=0",
            "--Registry:AnnounceIntervalSeconds=0.5",
            "--Logging:LogLevel:Default=Warning",
        ];
        var app = SeedGrainsHost.Build([.. args, .. extraArgs], services => services.AddSingleton(FakeModel.Factory(stepper)));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", DevKey);
        return new ClusterSilo(name, app, stepper, client);
    }

    /// <summary>
    /// A crash as far as the cluster can tell: the host stops with an already-cancelled token (no graceful shutdown,
    /// no deactivation hand-over), its sockets close, and the others must detect it and take over.
    /// </summary>
    public async Task Kill()
    {
        if (_stopped) return;
        _stopped = true;
        try
        {
            await _app.StopAsync(new CancellationToken(canceled: true));
        }
        catch (OperationCanceledException)
        {
        }
        Stepper.Gate.Set(); // release the compute thread parked in the fake model
        Client.Dispose();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// A graceful shutdown (what SIGTERM does): the silo leaves the cluster and deactivates its grains (each waits for
    /// its running step, so keep the fake model's gate open).
    /// </summary>
    public async Task StopGracefully()
    {
        if (_stopped) return;
        _stopped = true;
        await _app.StopAsync();
        Stepper.Gate.Set();
        Client.Dispose();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped) return;
        _stopped = true;
        Stepper.Gate.Set();
        Client.Dispose();
        try
        {
            await _app.StopAsync(new CancellationToken(canceled: true));
        }
        catch (OperationCanceledException)
        {
        }
        await _app.DisposeAsync();
    }
}
