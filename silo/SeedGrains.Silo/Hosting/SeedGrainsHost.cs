using Microsoft.Extensions.Configuration.Memory;
using Orleans.Configuration;
using Orleans.Dashboard;
using SeedGrains.Grains;
using SeedGrains.Grains.Hosting;
using SeedGrains.Silo.Api;

namespace SeedGrains.Silo.Hosting;

/// <summary>Builds the co-hosted silo + HTTP API. Tests call <see cref="Build"/> with their own services (a fake model).</summary>
public static class SeedGrainsHost
{
    /// <summary>Configuration keys that apply when nothing else sets them (embedded defaults).</summary>
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>
    {
        ["Urls"] = "http://127.0.0.1:5080",
        ["Orleans:SiloPort"] = "11111",
        // No Orleans:GatewayPort: a gateway (Orleans clients' way in) is opened only where one is configured.
        ["Orleans:ClusterId"] = "seedgrains-dev",
        ["Orleans:ServiceId"] = "seedgrains",
        ["Model:Device"] = "cpu",
    };

    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        // appsettings.json next to the silo, wherever it is started from (not the current directory).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var defaults = new Dictionary<string, string?>(Defaults) { ["Model:Path"] = RepoPaths.DefaultModelPath() };
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
        // SEEDGRAINS_-prefixed environment variables, then the command line again so it still wins.
        builder.Configuration.AddEnvironmentVariables("SEEDGRAINS_");
        builder.Configuration.AddCommandLine(args);
        var configuration = builder.Configuration;

        var postgres = configuration["Postgres:ConnectionString"];
        var embedded = string.IsNullOrWhiteSpace(postgres);
        // Before anything starts (or the model loads): bad ports, Urls and ports in use are one line, exit code 2.
        StartupChecks.Run(configuration);
        NativeMemoryTuning.Apply(configuration);
        StartupErrorQuieting.Add(builder);
        builder.UseOrleans(silo =>
        {
            if (embedded)
            {
                silo.UseLocalhostClustering(
                    siloPort: Port(configuration, "Orleans:SiloPort"),
                    gatewayPort: GatewayPort(configuration) ?? 0,
                    serviceId: configuration["Orleans:ServiceId"] ?? "seedgrains",
                    clusterId: configuration["Orleans:ClusterId"] ?? "seedgrains-dev");
                silo.AddMemoryGrainStorage(StorageNames.Sessions);
                silo.AddMemoryGrainStorage(StorageNames.Tenants);
                silo.UseInMemoryReminderService();
            }
            else
            {
                PostgresWiring.Configure(silo, configuration, postgres!);
            }
            ClusterTls.Configure(silo, configuration, durable: !embedded);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = configuration["Orleans:ClusterId"] ?? "seedgrains-dev";
                o.ServiceId = configuration["Orleans:ServiceId"] ?? "seedgrains";
            });
            silo.AddSeedGrains(configuration);
            silo.AddDashboard();
            silo.AddActivityPropagation(); // grain calls join the HTTP request's trace
        });

        builder.Services.AddSeedGrainsHttp(configuration);
        ServiceTelemetry.Add(builder.Services, configuration);
        configureServices?.Invoke(builder.Services);
        ModelWiring.AddModelRuntime(builder.Services, configuration);
        ModelWiring.EnsureWired(builder.Services, configuration);
        builder.Services.AddHostedService<DevTenantSeeder>();
        if (NativeMemoryTuning.TrimInterval(configuration) is { } trimEvery)
            builder.Services.AddHostedService(services => new NativeMemoryTrimmer(
                services.GetService<TimeProvider>() ?? TimeProvider.System, trimEvery, NativeMemoryTuning.Trim));

        var app = builder.Build();
        app.UseSeedGrainsHttp();
        ServiceTelemetry.Map(app);
        return app;
    }

    internal static int Port(IConfiguration configuration, string key)
    {
        var value = configuration[key];
        if (!int.TryParse(value, out var port) || port is < 0 or > 65535)
            throw new HostConfigurationException($"{key} = '{value}' is not a port number (0–65535).");
        return port;
    }

    /// <summary><c>Orleans:GatewayPort</c>, or null where none is configured (then no gateway is opened: port 0).</summary>
    internal static int? GatewayPort(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration["Orleans:GatewayPort"]) ? null : Port(configuration, "Orleans:GatewayPort");
}
