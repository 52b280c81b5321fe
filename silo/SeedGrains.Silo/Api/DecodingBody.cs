using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Silo.Api;

/// <summary>
/// The optional <c>decoding</c> object of a create or edit body: how its regions are decoded (the CLI decoder's flags of
/// the same names). Unset fields take the server's defaults; the session grain checks the values against its limits.
/// </summary>
public sealed class DecodingBody
{
    /// <summary>confidence | topk | entropy.</summary>
    public string? Policy { get; init; }
    public float? Threshold { get; init; }
    public float? EntropyBound { get; init; }
    public int? MaxSteps { get; init; }
    public int? BlockSize { get; init; }
    public float? Temperature { get; init; }
    public long? Seed { get; init; }

    internal DecodingRequest ToRequest() => new(Rule(Policy), Threshold, EntropyBound, MaxSteps, BlockSize, Temperature, Seed);

    private static StepCommitRule? Rule(string? policy) => policy switch
    {
        null => null,
        "confidence" => StepCommitRule.Confidence,
        "topk" => StepCommitRule.TopK,
        "entropy" => StepCommitRule.EntropyBounded,
        _ => throw BodyRules.Invalid($"decoding.policy must be one of confidence, topk, entropy, not '{policy}'.", "decoding.policy"),
    };
}
