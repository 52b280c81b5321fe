using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SeedGrains.Grains.Limits;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Failed authentications per client address (per silo): each 401 takes a permit from the address's bucket
/// (<see cref="AuthFailureThrottleOptions.FailuresPerMinute"/>), and an address with none left gets 429 before its
/// request is looked at — so keys cannot be guessed at line rate. A <see cref="PartitionedRateLimiter"/> keyed by address:
/// an address's bucket is dropped once it is full again and idle, so memory follows the addresses failing right now.
/// Time is the API's clock.
/// </summary>
internal sealed class AuthFailureThrottle : IDisposable
{
    private readonly AuthFailureThrottleOptions _options;
    private readonly PartitionedRateLimiter<IPAddress>? _limiter;

    public AuthFailureThrottle(IOptions<AuthFailureThrottleOptions> options, ApiClock clock)
    {
        _options = options.Value;
        if (_options.FailuresPerMinute > 0)
            _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
                RateLimitPartition.Get(address, _ => new ClockedTokenBucket(_options.FailuresPerMinute, clock.Time)));
    }

    /// <summary>Null when the address may try; else how long until it may try again.</summary>
    public TimeSpan? Blocked(HttpContext context)
    {
        if (Key(context) is not { } address) return null;
        if (_limiter!.GetStatistics(address)?.CurrentAvailablePermits > 0) return null;
        // Refused (nothing is taken): the lease says how long until a permit refills.
        using var lease = _limiter.AttemptAcquire(address, 1);
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60.0 / _options.FailuresPerMinute);
    }

    /// <summary>Counts one failed authentication of the request's client address.</summary>
    public void Failed(HttpContext context)
    {
        if (Key(context) is not { } address) return;
        using var lease = _limiter!.AttemptAcquire(address, 1);
    }

    public void Dispose() => _limiter?.Dispose();

    private IPAddress? Key(HttpContext context)
    {
        if (_limiter is null || context.Connection.RemoteIpAddress is not { } address) return null;
        if (_options.ExemptLoopback && IPAddress.IsLoopback(address)) return null;
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}
