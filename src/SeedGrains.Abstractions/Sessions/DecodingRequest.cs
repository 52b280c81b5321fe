using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// How a request's regions are decoded; every null field takes the configured default (<c>Sessions</c> section). The
/// fields mirror `seedgrains eval` / `bench decode` flags: --policy, --threshold, --entropy-bound, --max-steps,
/// --block-size, --temperature, --seed. The session grain validates them against the server's limits.
/// </summary>
/// <param name="MaxSteps">Step budget per region (the last step commits every mask left).</param>
/// <param name="BlockSize">Semi-autoregressive blocks of this many tokens, left to right; 0 = the whole region.</param>
/// <param name="Temperature">0 = argmax; above, tokens are sampled.</param>
/// <param name="Seed">Sampling seed: the region's n-th step samples with seed + n, as the CLI decoder does. Null: derived
/// from the session and its version.</param>
[GenerateSerializer, Immutable]
public sealed record DecodingRequest(
    [property: Id(0)] StepCommitRule? Policy = null,
    [property: Id(1)] float? Threshold = null,
    [property: Id(2)] float? EntropyBound = null,
    [property: Id(3)] int? MaxSteps = null,
    [property: Id(4)] int? BlockSize = null,
    [property: Id(5)] float? Temperature = null,
    [property: Id(6)] long? Seed = null);
