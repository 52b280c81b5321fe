using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Gives tenant <c>dev</c> the key from <c>SEEDGRAINS_DEV_API_KEY</c> (config key <c>DEV_API_KEY</c>, or
/// <c>DevApiKey</c>). Runs after the silo has started, on every silo; adding a key the tenant already has is a no-op,
/// so silos sharing PostgreSQL seed it idempotently. Without a configured key, embedded defaults generate one and print
/// it; on PostgreSQL nothing is generated (each start would add another valid key to a durable tenant).
/// </summary>
internal sealed class DevTenantSeeder(IGrainFactory grains, IConfiguration configuration, ILogger<DevTenantSeeder> logger) : IHostedService
{
    public const string Tenant = "dev";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var key = configuration["DEV_API_KEY"] ?? configuration["DevApiKey"];
        var generated = string.IsNullOrWhiteSpace(key);
        if (generated && !string.IsNullOrWhiteSpace(configuration["Postgres:ConnectionString"]))
        {
            logger.LogInformation("No dev API key configured (SEEDGRAINS_DEV_API_KEY); tenant {Tenant} is not seeded", Tenant);
            return;
        }
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
