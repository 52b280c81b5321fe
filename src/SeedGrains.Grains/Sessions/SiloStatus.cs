using Microsoft.Extensions.DependencyInjection;

namespace SeedGrains.Grains.Sessions;

internal static class SiloStatus
{
    /// <summary>
    /// True while this silo shuts down (gracefully or not). Its outgoing calls then fail, and a session must not record
    /// that as a failure of its own: it stays "denoising" in storage and resumes on another silo.
    /// </summary>
    public static bool IsStopping(IServiceProvider services)
    {
        try
        {
            return services.GetService<ISiloStatusOracle>()?.CurrentStatus.IsTerminating() ?? false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }
}
