using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Grains.Workers;

/// <summary>A queued row and the promise its caller awaits (continuations run off the compute thread).</summary>
internal sealed class PendingStep(StepCall call)
{
    public StepCall Call { get; } = call;

    public TaskCompletionSource<StepReply> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Rows are only batched with rows of the same bucket, to bound padding waste: next power of two ≥ 16.</summary>
    public int Bucket { get; } = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, call.Tokens.Length));
}
