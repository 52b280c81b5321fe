using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// How one region is decoded, every field resolved (<see cref="DecodingResolver"/>) and persisted with the region, so a
/// failover resumes it the same way. The fields are the CLI decoder's (<c>InfillDecoder</c>) of the same names.
/// </summary>
/// <param name="MaxSteps">Step budget of the region; 0 = none (each step commits at least one token, so at most one step per mask).</param>
/// <param name="BlockSize">Semi-autoregressive blocks, left to right; 0 = the whole region at once.</param>
/// <param name="Seed">Sampling seed (step n of the region samples with Seed + n); null = derived from the session and its version.</param>
[GenerateSerializer, Immutable]
public sealed record RegionDecoding(
    [property: Id(0)] StepCommitRule Rule,
    [property: Id(1)] float Threshold,
    [property: Id(2)] float EntropyBound,
    [property: Id(3)] int MaxSteps,
    [property: Id(4)] int BlockSize,
    [property: Id(5)] float Temperature,
    [property: Id(6)] long? Seed)
{
    /// <summary>The policy a step of this region asks the worker for.</summary>
    public StepPolicy ToPolicy() => StepPolicy.Default with { Rule = Rule, Threshold = Threshold, EntropyBound = EntropyBound, Temperature = Temperature };

    /// <summary>The seed of the region's next step, as the CLI decoder seeds step n (1-based) with seed + n.</summary>
    public ulong StepSeed(int stepsTaken, ulong derived) => Seed is { } seed ? unchecked((ulong)seed + (ulong)(stepsTaken + 1)) : derived;
}
