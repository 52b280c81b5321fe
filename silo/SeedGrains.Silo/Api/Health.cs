using SeedGrains.Grains.Model;

namespace SeedGrains.Silo.Api;

/// <summary>GET /healthz: the silo is up and its model is loaded.</summary>
internal static class Health
{
    public static IResult Get(ModelRuntimes runtimes) =>
        Results.Ok(new { status = "ok", model = runtimes.ModelName, devices = runtimes.Devices.Select(d => d.Device).ToArray() });
}
