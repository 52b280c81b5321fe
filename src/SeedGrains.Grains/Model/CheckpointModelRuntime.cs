using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Devices;
using SeedGrains.Diffusion.Runtime;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Grains.Model;

/// <summary>
/// The real <see cref="IModelRuntime"/>: a shipped model folder (config.json, safetensors, tokenizer.json) loaded
/// onto one device, stepped by the batched <see cref="DualCacheStepper"/> (or the plain <see cref="DenoiseStepper"/>
/// when <see cref="ModelSettings.ContextCacheRefreshEvery"/> is 0).
/// </summary>
public sealed class CheckpointModelRuntime : IModelRuntime, IDisposable
{
    readonly ModelBundle bundle;

    CheckpointModelRuntime(ModelBundle bundle, string device, ModelSettings settings)
    {
        if (bundle.IsAutoregressive)
            throw new InvalidOperationException($"{bundle.Directory} is a causal (AR) model; the service needs a diffusion model");
        this.bundle = bundle;
        Device = device;
        Stepper = CreateStepper(bundle, settings);
    }

    /// <summary>The stepper the settings ask for (the benchmark's raw loop uses the same one).</summary>
    public static IDenoiseStepper CreateStepper(ModelBundle bundle, ModelSettings settings)
    {
        if (settings.ContextCacheRefreshEvery < 0 || settings.ContextCacheEntries < 1)
            throw new InvalidOperationException(
                $"Model:ContextCacheRefreshEvery must be ≥ 0 (0 = off) and Model:ContextCacheEntries ≥ 1, not {settings.ContextCacheRefreshEvery} and {settings.ContextCacheEntries}");
        var maxWindow = Math.Min(settings.MaxWindow, bundle.Model.Config.MaxPositions);
        return settings.ContextCacheRefreshEvery > 0
            ? new DualCacheStepper(bundle.Model, bundle.Specials, bundle.Device, maxWindow,
                new DualCacheOptions(settings.ContextCacheRefreshEvery, settings.ContextCacheEntries))
            : new DenoiseStepper(bundle.Model, bundle.Specials, bundle.Device, maxWindow);
    }

    public string ModelName => bundle.Name;
    public string Device { get; }
    public IDenoiseStepper Stepper { get; }
    public ICodeTokenizer Tokenizer => bundle.Tokenizer;

    /// <summary>What the model computes in ("float32", "bfloat16"): <see cref="ModelSettings.Dtype"/> resolved.</summary>
    public string Dtype => ComputeDtypeSelector.NameOf(bundle.Model.Dtype);

    /// <summary>The <see cref="ModelRuntimeFactory"/> the host registers.</summary>
    public static CheckpointModelRuntime Load(ModelSettings settings, string device, IServiceProvider services)
    {
        _ = services;
        if (string.IsNullOrWhiteSpace(settings.Path))
            throw new InvalidOperationException("Model:Path is not set: point it at a model folder (config.json, model.safetensors, tokenizer.json)");
        var torchDevice = DeviceSelector.Select(device);
        var bundle = ModelBundle.Load(settings.Path, torchDevice, ComputeDtypeSelector.Select(settings.Dtype, torchDevice, "Model:Dtype"));
        return new CheckpointModelRuntime(bundle, device, settings);
    }

    public void Dispose()
    {
        (Stepper as IDisposable)?.Dispose();
        bundle.Dispose();
    }
}
