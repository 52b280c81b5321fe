using SeedGrains.Grains.Model;

namespace SeedGrains.Silo.Api;

/// <summary>GET /healthz: the silo is up and its model is loaded.</summary>
internal static class Health
{
    public static IResult Get(ModelRuntimes runtimes) =>
        Results.Ok(new HealthView("ok", runtimes.ModelName, runtimes.Devices.Select(d => d.Device).ToArray()));
}

/// <summary>GET /healthz answer.</summary>
public sealed record HealthView(string Status, string Model, IReadOnlyList<string> Devices);
