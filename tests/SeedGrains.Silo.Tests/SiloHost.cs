using SeedGrains.Tests.Shared;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SeedGrains.Grains.Model;
using SeedGrains.Silo.Api;
using SeedGrains.Silo.Hosting;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// The real host (Kestrel on loopback, free ports, embedded defaults) serving the fake model; one per test class. The
/// HTTP layer's clock is a fake that only moves when a test advances it (completion deadlines never fire by themselves).
/// </summary>
public sealed class SiloHost : IAsyncLifetime
{
    public const string DevKey = "test-dev-key-0123456789";
    public const int MaxTextChars = 2000;
    private readonly string[] _extraArgs;
    private WebApplication? _app;

    public SiloHost() : this([])
    {
    }

    /// <summary>A host with more configuration (`--Key=value`), for fixtures that wrap this one.</summary>
    internal SiloHost(string[] extraArgs) => _extraArgs = extraArgs;

    public FakeStepper Stepper { get; } = new();

    public FakeTimeProvider Clock { get; } = new();

    public LogCollector Logs { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public async Task InitializeAsync()
    {
        string[] args =
        [
            "--Urls=http://127.0.0.1:0",
            $"--Orleans:SiloPort={TestPorts.Next()}",
            $"--Orleans:GatewayPort={TestPorts.Next()}",
            $"--Orleans:ClusterId=test-{Guid.NewGuid():N}",
            $"--DEV_API_KEY={DevKey}",
            $"--Limits:MaxTextChars={MaxTextChars}",
            "--Logging:LogLevel:Default=Warning",
            .. _extraArgs,
        ];
        _app = SeedGrainsHost.Build(args, services => services
            .AddSingleton(FakeModel.Factory(Stepper))
            .AddSingleton(new ApiClock(Clock))
            .AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(120) };
        Client.DefaultRequestHeaders.Authorization = new("Bearer", DevKey);
    }

    public async Task DisposeAsync()
    {
        Stepper.Gate.Set();
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
