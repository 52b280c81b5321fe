namespace SeedGrains.Abstractions.Workers;

/// <summary>
/// Identity of a model worker: `model/device/silo` where silo is <c>SiloAddress.ToParsableString()</c>.
/// Parsed from the right so model names may contain '/'.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WorkerAddress([property: Id(0)] string Model, [property: Id(1)] string Device, [property: Id(2)] string Silo)
{
    public string Key => $"{Model}/{Device}/{Silo}";

    public static WorkerAddress Parse(string key)
    {
        var siloSlash = key.LastIndexOf('/');
        var deviceSlash = siloSlash > 0 ? key.LastIndexOf('/', siloSlash - 1) : -1;
        if (deviceSlash <= 0 || siloSlash == key.Length - 1 || siloSlash - deviceSlash < 2)
            throw new ArgumentException($"Model worker key '{key}' is not of the form 'model/device/silo'.", nameof(key));
        return new WorkerAddress(key[..deviceSlash], key[(deviceSlash + 1)..siloSlash], key[(siloSlash + 1)..]);
    }

    public override string ToString() => Key;
}
