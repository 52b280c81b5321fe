using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Runtime.Placement;
using Orleans.Storage;
using Orleans.TestingHost;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Grains;
using SeedGrains.Grains.Hosting;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Sessions;
using SeedGrains.Grains.Workers;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests;

/// <summary>
/// An in-process Orleans cluster serving <see cref="FakeStepper"/>, with memory storage — one per test; <c>time</c>
/// replaces the service's clock (<see cref="SeedGrainsClock"/>), e.g. with a FakeTimeProvider; <c>sessionsWhereCalled</c>
/// places each session on the silo that first calls it (<see cref="SessionOnSilo"/>); <c>sessionStorage</c> replaces the
/// sessions' memory storage (e.g. to inject storage faults).
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(InProcessTestCluster cluster, FakeStepper stepper)
    {
        Cluster = cluster;
        Stepper = stepper;
    }

    public InProcessTestCluster Cluster { get; }

    public FakeStepper Stepper { get; }

    public IGrainFactory Grains => Cluster.Client;

    public static async Task<TestCluster> Start(
        FakeStepper? stepper = null,
        Action<BatchingOptions>? batching = null,
        Action<SessionOptions>? sessions = null,
        short silos = 1,
        Func<string, bool>? hostsWorkers = null,
        ModelRuntimeFactory? model = null,
        TimeProvider? time = null,
        bool sessionsWhereCalled = false,
        IGrainStorage? sessionStorage = null,
        Action<ISiloBuilder>? configure = null)
    {
        stepper ??= new FakeStepper();
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((options, silo) =>
        {
            if (sessionStorage is null) silo.AddMemoryGrainStorage(StorageNames.Sessions);
            else silo.Services.AddGrainStorage(StorageNames.Sessions, (_, _) => sessionStorage);
            silo.AddMemoryGrainStorage(StorageNames.Tenants);
            silo.AddSeedGrains();
            silo.Services.AddSingleton(model ?? FakeModel.Factory(stepper));
            silo.Services.Configure<ModelSettings>(m => m.HostWorkers = hostsWorkers?.Invoke(options.SiloName) ?? true);
            silo.Services.Configure<RegistryOptions>(r => r.AnnounceIntervalSeconds = 0.5);
            // The service's own clock only: Orleans keeps the real one for its timers.
            if (time is not null) silo.Services.AddSingleton(new SeedGrainsClock(time));
            if (batching is not null) silo.Services.Configure(batching);
            if (sessions is not null) silo.Services.Configure(sessions);
            if (sessionsWhereCalled) silo.Services.AddSingleton<IPlacementStrategyResolver, SessionsPlacedLocally>();
            configure?.Invoke(silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new TestCluster(cluster, stepper);
    }

    public ISessionGrain Session(string tenant, string id) => Grains.GetGrain<ISessionGrain>(SessionKey.Of(tenant, id));

    /// <summary>
    /// The session as seen from silo <paramref name="silo"/>'s own grain factory: with <c>sessionsWhereCalled</c>, a
    /// session first called this way activates on that silo.
    /// </summary>
    public ISessionGrain SessionOnSilo(int silo, string tenant, string id) =>
        Cluster.Silos[silo].ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<ISessionGrain>(SessionKey.Of(tenant, id));

    public ITenantGrain Tenant(string tenant) => Grains.GetGrain<ITenantGrain>(tenant);

    public async ValueTask DisposeAsync()
    {
        Stepper.Gate.Set();
        await Cluster.DisposeAsync();
    }
}
