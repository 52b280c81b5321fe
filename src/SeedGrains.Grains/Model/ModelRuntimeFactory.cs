namespace SeedGrains.Grains.Model;

/// <summary>
/// Loads the model of <paramref name="settings"/> onto <paramref name="device"/>. Registered in DI by the host (the real
/// checkpoint loader) or by tests (fakes); called once per configured device when the silo starts.
/// </summary>
public delegate IModelRuntime ModelRuntimeFactory(ModelSettings settings, string device, IServiceProvider services);
