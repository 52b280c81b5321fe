using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Embedded defaults only: gives tenant <c>dev</c> the key from <c>SEEDGRAINS_DEV_API_KEY</c> (config key
/// <c>DEV_API_KEY</c>, or <c>DevApiKey</c>), or a generated one printed at start. Runs after the silo has started.
/// </summary>
internal sealed class DevTenantSeeder(IGrainFactory grains, IConfiguration configuration, ILogger<DevTenantSeeder> logger) : IHostedService
{
    public const string Tenant = "dev";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var key = configuration["DEV_API_KEY"] ?? configuration["DevApiKey"];
        var generated = string.IsNullOrWhiteSpace(key);
        if (generated) key = ApiKeyHash.NewKey();
        await grains.GetGrain<ITenantGrain>(Tenant).AddApiKey(key!);
        if (generated)
        {
            // Printed on purpose: with embedded defaults this is the only way to learn the key.
            await Console.Out.WriteLineAsync($"seedgrains: API key of tenant '{Tenant}': {key}");
            logger.LogInformation("Generated an API key for tenant {Tenant} (printed on stdout)", Tenant);
        }
        else
        {
            logger.LogInformation("Tenant {Tenant} uses the configured API key", Tenant);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
