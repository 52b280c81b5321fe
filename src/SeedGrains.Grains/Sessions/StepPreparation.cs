using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The model call for a session's next step: the window around its first masked region, decoded by that region's
/// decoding (policy, seed, block, steps left). Without a fixed seed the step's seed derives from the session key and
/// the version, so a replayed version draws the same.
/// </summary>
internal static class StepPreparation
{
    public static (StepWindow Window, StepCall Call) For(DocumentCanvas canvas, int maxWindow, string key, long version, SessionPriority priority, int weight)
    {
        var window = canvas.BuildWindow(maxWindow);
        var seed = window.Decoding.StepSeed(window.StepsTaken, StableHash.Of(key) ^ (ulong)version);
        var (tenant, session) = SessionKey.Parse(key);
        return (window, new StepCall(tenant, session, priority, window.Tokens, window.Decoding.ToPolicy(), seed, window.StepsLeft, weight,
            window.CommitFrom, window.CommitTo));
    }
}
