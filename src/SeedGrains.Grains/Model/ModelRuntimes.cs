using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Grains.Model;

/// <summary>
/// The silo's loaded model, one <see cref="IModelRuntime"/> per configured device, created through the registered
/// <see cref="ModelRuntimeFactory"/> on first use (the silo forces that at start, so a missing model fails fast).
/// </summary>
public sealed class ModelRuntimes : IDisposable
{
    private readonly Lazy<IReadOnlyList<IModelRuntime>> _runtimes;

    public ModelRuntimes(IServiceProvider services, IOptions<ModelSettings> settings)
    {
        var modelSettings = settings.Value;
        _runtimes = new Lazy<IReadOnlyList<IModelRuntime>>(() => Load(services, modelSettings));
    }

    public IReadOnlyList<IModelRuntime> Devices => _runtimes.Value;

    public string ModelName => Devices[0].ModelName;

    /// <summary>Tokenizer of the model (identical on every device).</summary>
    public ICodeTokenizer Tokenizer => Devices[0].Tokenizer;

    public SpecialTokenIds Specials => Devices[0].Stepper.Specials;

    /// <summary>Longest window every device accepts.</summary>
    public int MaxWindow => Devices.Min(d => d.Stepper.MaxWindow);

    public IModelRuntime Get(string device) =>
        Devices.FirstOrDefault(d => d.Device == device)
        ?? throw new InvalidOperationException($"Device '{device}' is not configured on this silo (Model:Device lists: {string.Join(", ", Devices.Select(d => d.Device))}).");

    private static IReadOnlyList<IModelRuntime> Load(IServiceProvider services, ModelSettings settings)
    {
        var factory = services.GetService<ModelRuntimeFactory>()
            ?? throw new InvalidOperationException(
                $"Model loading is not wired yet: no {nameof(ModelRuntimeFactory)} is registered " +
                $"(Model:Path='{settings.Path}', Model:Device='{settings.Device}'). Register one with services.AddSingleton<{nameof(ModelRuntimeFactory)}>(...).");
        var devices = settings.Devices;
        if (devices.Count == 0)
            throw new InvalidOperationException("Model:Device is empty: name at least one device (e.g. \"cpu\").");
        var loaded = new List<IModelRuntime>();
        foreach (var device in devices)
        {
            var runtime = factory(settings, device, services)
                ?? throw new InvalidOperationException($"{nameof(ModelRuntimeFactory)} returned null for device '{device}'.");
            // Worker keys are "model/device/silo", parsed from the right: the device may not contain '/'.
            if (device.Contains('/', StringComparison.Ordinal) || string.IsNullOrWhiteSpace(runtime.ModelName))
                throw new InvalidOperationException($"Device '{device}' must not contain '/', and the model name must be non-empty.");
            loaded.Add(runtime);
        }
        if (loaded.Select(r => r.ModelName).Distinct().Count() != 1)
            throw new InvalidOperationException("All devices of a silo must serve the same model (ModelRuntimeFactory returned different names).");
        return loaded;
    }

    public void Dispose()
    {
        if (!_runtimes.IsValueCreated) return;
        foreach (var runtime in _runtimes.Value)
            (runtime as IDisposable)?.Dispose();
    }
}
