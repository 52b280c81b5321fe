using Microsoft.Extensions.DependencyInjection.Extensions;
using SeedGrains.Diffusion.Devices;
using SeedGrains.Grains.Model;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Registers the real model loader (<see cref="CheckpointModelRuntime"/>: the checkpoint at <c>Model:Path</c> on each
/// device of <c>Model:Device</c>) unless the caller — tests with a fake model — registered a factory first. The real
/// loader's settings are checked here, before the host starts, so a missing folder or a bad dtype is one line.
/// </summary>
internal static class ModelWiring
{
    public static void AddModelRuntime(IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(ModelRuntimeFactory))) return;
        CheckModelSettings(configuration);
        services.TryAddSingleton<ModelRuntimeFactory>(CheckpointModelRuntime.Load);
    }

    public static void EnsureWired(IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(ModelRuntimeFactory))) return;
        throw new HostConfigurationException(
            $"no ModelRuntimeFactory is registered (Model:Path='{configuration["Model:Path"]}', Model:Device='{configuration["Model:Device"]}').");
    }

    /// <summary><c>Model:Path</c> is a model folder and <c>Model:Dtype</c> a dtype the model can compute in.</summary>
    internal static void CheckModelSettings(IConfiguration configuration)
    {
        var dtype = configuration["Model:Dtype"];
        if (!string.Equals(dtype?.Trim(), "auto", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                ComputeDtypeSelector.ParseName(dtype, "Model:Dtype");
            }
            catch (ArgumentException ex)
            {
                throw new HostConfigurationException($"Model:Dtype = '{dtype}': expected {ComputeDtypeSelector.Usage}.", ex);
            }
        }

        var path = configuration["Model:Path"];
        if (string.IsNullOrWhiteSpace(path))
            throw new HostConfigurationException("Model:Path is not set: point it at a model folder (config.json, model.safetensors, tokenizer.json).");
        if (!Directory.Exists(path))
            throw new HostConfigurationException($"Model:Path = '{path}': no such folder (it needs config.json, model.safetensors, tokenizer.json).");
        foreach (var file in new[] { "config.json", "tokenizer.json" })
        {
            if (!File.Exists(Path.Combine(path, file)))
                throw new HostConfigurationException($"Model:Path = '{path}' has no {file}.");
        }
        if (!Directory.EnumerateFiles(path, "*.safetensors").Any())
            throw new HostConfigurationException($"Model:Path = '{path}' has no weights (model.safetensors).");
    }
}
