namespace SeedGrains.Abstractions.Jobs;

/// <summary>Results landed so far, counted from the stored results (so a file is never counted twice).</summary>
[GenerateSerializer, Immutable]
public sealed record JobCounts(
    [property: Id(0)] int Succeeded,
    [property: Id(1)] int Failed,
    [property: Id(2)] long Tokens)
{
    public static JobCounts None { get; } = new(0, 0, 0);

    public int Done => Succeeded + Failed;
}
