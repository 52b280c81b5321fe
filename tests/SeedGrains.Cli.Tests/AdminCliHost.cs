using SeedGrains.Tests.Shared;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SeedGrains.Silo.Hosting;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Cli.Tests;

/// <summary>The real host (Kestrel on loopback, embedded defaults, fake model) with an operator key, for `seedgrains admin` (and the development key, for `bench collab --server`).</summary>
public sealed class AdminCliHost : IAsyncLifetime
{
    public const string OperatorKey = "cli-operator-key-0123456789";
    public const string DevKey = "cli-dev-key-0123456789";
    private WebApplication? _app;

    public string Url { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _app = SeedGrainsHost.Build(
        [
            "--Urls=http://127.0.0.1:0",
            $"--Orleans:SiloPort={TestPorts.Next()}",
            $"--Orleans:ClusterId=cli-{Guid.NewGuid():N}",
            $"--DEV_API_KEY={DevKey}",
            $"--Admin:OperatorKeys={OperatorKey}",
            "--Logging:LogLevel:Default=Warning",
        ], services => services.AddSingleton(FakeModel.Factory(new FakeStepper())));
        await _app.StartAsync();
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
