using SeedGrains.Grains.Model;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// THE SEAM for the real model: <see cref="AddModelRuntime"/> must register a <see cref="ModelRuntimeFactory"/> that
/// loads the checkpoint at <c>Model:Path</c> onto each device of <c>Model:Device</c> (checkpoint loader + CodeTokenizer +
/// batched IDenoiseStepper). Until then the host refuses to start with a clear message, unless its caller (the tests)
/// registered a factory itself.
/// </summary>
internal static class ModelWiring
{
    public static void AddModelRuntime(IServiceCollection services, IConfiguration configuration)
    {
        // Not wired yet. Lead: services.TryAddSingleton<ModelRuntimeFactory>((settings, device, sp) => ...);
        _ = services;
        _ = configuration;
    }

    public static void EnsureWired(IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(ModelRuntimeFactory))) return;
        throw new HostConfigurationException(
            $"model loading is not wired yet: no ModelRuntimeFactory is registered (Model:Path='{configuration["Model:Path"]}', " +
            $"Model:Device='{configuration["Model:Device"]}'). See silo/SeedGrains.Silo/Hosting/ModelWiring.cs.");
    }
}
