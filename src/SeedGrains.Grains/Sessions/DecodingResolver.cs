using System.Globalization;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Turns a request's <see cref="DecodingRequest"/> into a <see cref="RegionDecoding"/>: unset fields take the configured
/// defaults, set ones are checked against the server's limits (a 400 naming the field, e.g. <c>decoding.threshold</c>).
/// </summary>
public static class DecodingResolver
{
    /// <summary>What a region gets when its request names no decoding.</summary>
    public static RegionDecoding Defaults(SessionOptions options) => new(options.CommitRule, options.CommitThreshold, options.EntropyBound,
        options.StepBudget, options.BlockSize, options.Temperature, Seed: null);

    public static RegionDecoding Resolve(DecodingRequest? request, SessionOptions options)
    {
        var defaults = Defaults(options);
        if (request is null) return defaults;
        if (request.Policy is { } rule && !Enum.IsDefined(rule))
            throw Invalid("policy", "must be one of confidence, topk, entropy", rule);
        if (request.Threshold is { } threshold && !(threshold > 0 && threshold <= 1))
            throw Invalid("threshold", "must be in (0, 1]", threshold);
        if (request.EntropyBound is { } bound && !(bound > 0 && float.IsFinite(bound)))
            throw Invalid("entropyBound", "must be a positive number", bound);
        if (request.MaxSteps is { } steps && (steps < 1 || steps > options.MaxStepBudget))
            throw Invalid("maxSteps", $"must be in 1..{options.MaxStepBudget} (Sessions:MaxStepBudget)", steps);
        if (request.BlockSize is { } block && (block < 0 || block > options.MaxRegionTokens))
            throw Invalid("blockSize", $"must be in 0..{options.MaxRegionTokens} (0 = the whole region)", block);
        if (request.Temperature is { } temperature && !(temperature >= 0 && temperature <= options.MaxTemperature))
            throw Invalid("temperature", $"must be in [0, {options.MaxTemperature.ToString(CultureInfo.InvariantCulture)}] (Sessions:MaxTemperature)", temperature);
        if (request.Seed is < 0)
            throw Invalid("seed", "must be 0 or more", request.Seed);
        return new RegionDecoding(
            request.Policy ?? defaults.Rule,
            request.Threshold ?? defaults.Threshold,
            request.EntropyBound ?? defaults.EntropyBound,
            request.MaxSteps ?? defaults.MaxSteps,
            request.BlockSize ?? defaults.BlockSize,
            request.Temperature ?? defaults.Temperature,
            request.Seed);
    }

    private static InvalidSessionRequestException Invalid(string field, string rule, object? value) =>
        new($"decoding.{field} {rule}, not {Convert.ToString(value, CultureInfo.InvariantCulture)}.");
}
