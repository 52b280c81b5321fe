using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

/// <summary><see cref="DecodingResolver"/>: unset fields take the configured defaults, set ones are checked against the limits.</summary>
public sealed class DecodingResolverTests
{
    private static readonly SessionOptions Options = new()
    {
        CommitRule = StepCommitRule.TopK, CommitThreshold = 0.8f, EntropyBound = 0.5f, StepBudget = 6, BlockSize = 4, Temperature = 0.3f,
        MaxStepBudget = 100, MaxTemperature = 1.5f, MaxRegionTokens = 64,
    };

    [Fact]
    public void No_decoding_is_the_configured_policy() =>
        Assert.Equal(new RegionDecoding(StepCommitRule.TopK, 0.8f, 0.5f, 6, 4, 0.3f, null), DecodingResolver.Resolve(null, Options));

    [Fact]
    public void Set_fields_override_the_defaults_and_unset_ones_keep_them()
    {
        var resolved = DecodingResolver.Resolve(new DecodingRequest(Policy: StepCommitRule.Confidence, Threshold: 1f, MaxSteps: 100, Seed: 42), Options);
        Assert.Equal(new RegionDecoding(StepCommitRule.Confidence, 1f, 0.5f, 100, 4, 0.3f, 42), resolved);
    }

    public static TheoryData<DecodingRequest, string> OutOfLimits => new()
    {
        { new DecodingRequest(Threshold: 0f), "decoding.threshold must be in (0, 1], not 0." },
        { new DecodingRequest(Threshold: 1.5f), "decoding.threshold must be in (0, 1], not 1.5." },
        { new DecodingRequest(Threshold: float.NaN), "decoding.threshold must be in (0, 1]" },
        { new DecodingRequest(EntropyBound: -1f), "decoding.entropyBound must be a positive number" },
        { new DecodingRequest(MaxSteps: 0), "decoding.maxSteps must be in 1..100 (Sessions:MaxStepBudget), not 0." },
        { new DecodingRequest(MaxSteps: 101), "decoding.maxSteps must be in 1..100" },
        { new DecodingRequest(BlockSize: -1), "decoding.blockSize must be in 0..64" },
        { new DecodingRequest(BlockSize: 65), "decoding.blockSize must be in 0..64" },
        { new DecodingRequest(Temperature: 1.6f), "decoding.temperature must be in [0, 1.5] (Sessions:MaxTemperature), not 1.6." },
        { new DecodingRequest(Temperature: -0.1f), "decoding.temperature must be in [0, 1.5]" },
        { new DecodingRequest(Seed: -1), "decoding.seed must be 0 or more, not -1." },
        { new DecodingRequest(Policy: (StepCommitRule)7), "decoding.policy must be one of confidence, topk, entropy" },
    };

    [Theory]
    [MemberData(nameof(OutOfLimits))]
    public void A_value_outside_the_limits_is_a_bad_request_naming_the_field(DecodingRequest request, string message)
    {
        var error = Assert.Throws<InvalidSessionRequestException>(() => DecodingResolver.Resolve(request, Options));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 5, 77UL)]   // no seed: the derived one
    [InlineData(10L, 0, 11UL)]    // step n (1-based) samples with seed + n, as the CLI decoder does
    [InlineData(10L, 4, 15UL)]
    public void A_step_seed_is_the_seed_plus_the_step_number(long? seed, int stepsTaken, ulong expected) =>
        Assert.Equal(expected, (DecodingResolver.Defaults(Options) with { Seed = seed }).StepSeed(stepsTaken, derived: 77));
}
