namespace SeedGrains.Abstractions.Limits;

/// <summary>The answer to an admission: whether it passed, the state of both buckets after it, and when to retry.</summary>
/// <param name="Admitted">False when a bucket was empty (nothing was taken).</param>
/// <param name="Requests">The requests-per-minute bucket.</param>
/// <param name="Tokens">The generated-tokens-per-minute bucket.</param>
/// <param name="RetryAfter">When refused: how long until the refusing bucket has what the request needs.</param>
/// <param name="Reason">When refused: which bucket ("requests" or "tokens").</param>
[GenerateSerializer, Immutable]
public sealed record RateLimitDecision(
    [property: Id(0)] bool Admitted,
    [property: Id(1)] BucketState Requests,
    [property: Id(2)] BucketState Tokens,
    [property: Id(3)] TimeSpan RetryAfter = default,
    [property: Id(4)] string? Reason = null);

/// <summary>One bucket as the API reports it (OpenAI's x-ratelimit-* headers).</summary>
/// <param name="Limit">Permits per minute; 0 = unlimited.</param>
/// <param name="Remaining">Permits left now.</param>
/// <param name="Reset">Time until the bucket is full again.</param>
[GenerateSerializer, Immutable]
public sealed record BucketState(
    [property: Id(0)] long Limit,
    [property: Id(1)] long Remaining,
    [property: Id(2)] TimeSpan Reset)
{
    public bool Unlimited => Limit == 0;
}
