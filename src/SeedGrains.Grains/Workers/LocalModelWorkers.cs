using Microsoft.Extensions.Options;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Model;

namespace SeedGrains.Grains.Workers;

/// <summary>The workers this silo hosts: one per configured device (none when <see cref="ModelSettings.HostWorkers"/> is off).</summary>
public sealed class LocalModelWorkers(ModelRuntimes runtimes, ILocalSiloDetails localSilo, IOptions<ModelSettings> settings)
{
    public string Silo => localSilo.SiloAddress.ToParsableString();

    public IReadOnlyList<WorkerAddress> Workers => settings.Value.HostWorkers
        ? runtimes.Devices.Select(d => new WorkerAddress(d.ModelName, d.Device, Silo)).ToList()
        : [];
}
