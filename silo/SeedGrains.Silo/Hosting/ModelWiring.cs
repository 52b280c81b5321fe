using Microsoft.Extensions.DependencyInjection.Extensions;
using SeedGrains.Grains.Model;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Registers the real model loader (<see cref="CheckpointModelRuntime"/>: the checkpoint at <c>Model:Path</c> on each
/// device of <c>Model:Device</c>) unless the caller — tests with a fake model — registered a factory first.
/// </summary>
internal static class ModelWiring
{
    public static void AddModelRuntime(IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        services.TryAddSingleton<ModelRuntimeFactory>(CheckpointModelRuntime.Load);
    }

    public static void EnsureWired(IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(ModelRuntimeFactory))) return;
        throw new HostConfigurationException(
            $"no ModelRuntimeFactory is registered (Model:Path='{configuration["Model:Path"]}', Model:Device='{configuration["Model:Device"]}').");
    }
}
