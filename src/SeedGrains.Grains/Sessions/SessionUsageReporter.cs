using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Grains.Usage;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Sends the usage a session counted (<see cref="Meter"/>) to its tenant's usage grain, and charges the generated tokens
/// to its rate limiter. Best effort: an undelivered report goes with the next one; a failed charge is only logged.
/// </summary>
/// <param name="record">Delivers a usage report (the tenant's usage grain).</param>
/// <param name="charge">Charges generated tokens (the tenant's rate limiter).</param>
internal sealed class SessionUsageReporter(Func<UsageDelta, Task> record, Func<long, Task> charge, ILogger logger, string key,
    string tenant = "", string model = "")
{
    public SessionUsageMeter Meter { get; } = new(tenant, model);

    public async Task Report()
    {
        if (Meter.Take() is not { } delta) return;
        try
        {
            await record(delta);
        }
        catch (Exception ex)
        {
            Meter.Return(delta);
            logger.LogWarning(ex, "Reporting the usage of session {Key} failed; it goes with the next report", key);
            return;
        }
        if (delta.GeneratedTokens == 0) return;
        try
        {
            await charge(delta.GeneratedTokens);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Charging {Tokens} generated tokens of session {Key} to its tenant's rate limit failed", delta.GeneratedTokens, key);
        }
    }
}
