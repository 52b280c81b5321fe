using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>What came of one step's call to the model: a reply to commit, nothing this tick, or a failure of the session.</summary>
internal sealed record StepOutcome(StepReply? Reply, string? Failure)
{
    /// <summary>No step this tick (backing off, deactivating, the silo stopping): the loop tries again.</summary>
    public static StepOutcome Skipped { get; } = new(null, null);

    public static StepOutcome Replied(StepReply reply) => new(reply, null);

    public static StepOutcome Failed(string error) => new(null, error);
}
