namespace SeedGrains.Grains.Workers;

/// <summary>
/// The clock of the generation service's own waits and deadlines (batch gathering, session back-off and timeouts,
/// checkpoint intervals, workers set aside). A holder type rather than the container's <see cref="TimeProvider"/>:
/// Orleans resolves that one for its own timers, and a test that replaces this clock must not stop the silo's.
/// </summary>
public sealed class SeedGrainsClock(TimeProvider time)
{
    /// <summary>Real time; what <see cref="Hosting.SeedGrainsSiloExtensions.AddSeedGrains"/> registers.</summary>
    public static SeedGrainsClock System { get; } = new(TimeProvider.System);

    public TimeProvider Time { get; } = time;

    /// <summary>The current UTC time of <see cref="Time"/>.</summary>
    public DateTime UtcNow => Time.GetUtcNow().UtcDateTime;
}
