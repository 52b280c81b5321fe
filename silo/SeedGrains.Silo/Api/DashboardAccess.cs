using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Guards <c>/dashboard</c> and <c>/metrics</c>: a tenant API key is not enough, because both are cluster-wide. It needs an operator
/// key (<see cref="OperatorOptions"/>), as a Bearer token or as the password of HTTP Basic authentication — browsers ask
/// for it through the Basic prompt (the 401 carries <c>WWW-Authenticate: Basic</c>). Loopback needs no key only where
/// <see cref="DashboardAccessOptions.AllowLoopback"/> says so (by default, on embedded defaults). The log stream is refused
/// to everyone unless <see cref="DashboardAccessOptions.AllowTrace"/>.
/// </summary>
internal sealed class DashboardAccess(RequestDelegate next, IOptions<DashboardAccessOptions> options, OperatorKeys operatorKeys)
{
    public const string Path = "/dashboard";

    /// <summary>The dashboard's live log stream.</summary>
    public const string TracePath = Path + "/Trace";

    /// <summary>The Prometheus scrape endpoint (see ServiceTelemetry).</summary>
    public const string MetricsPath = "/metrics";

    public Task InvokeAsync(HttpContext context)
    {
        // The metrics are cluster-wide too (and name tenants): the same rule.
        if (!context.Request.Path.StartsWithSegments(Path) && !context.Request.Path.StartsWithSegments(MetricsPath)) return next(context);
        if (context.Request.Path.StartsWithSegments(TracePath, StringComparison.OrdinalIgnoreCase) && !options.Value.AllowTrace)
            throw new ApiProblemException(StatusCodes.Status404NotFound, ProblemTitles.For(StatusCodes.Status404NotFound),
                "The dashboard's log stream is off (set Dashboard:AllowTrace=true to serve it).");
        if (Allowed(context)) return next(context);
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"SeedGrains dashboard\", charset=\"UTF-8\"";
        throw new ApiProblemException(StatusCodes.Status401Unauthorized, "Unauthorized",
            operatorKeys.Configured || !string.IsNullOrEmpty(options.Value.OperatorKey)
                ? "The dashboard needs an operator key, as a Bearer token or as the password of HTTP Basic authentication."
                : "No operator key is configured; set Admin:OperatorKeys (or SEEDGRAINS_OPERATOR_KEY) to open the dashboard.");
    }

    bool Allowed(HttpContext context)
    {
        if (options.Value.AllowLoopback == true && context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)) return true;
        var header = context.Request.Headers.Authorization.ToString();
        var given = BasicPassword(header) ?? BearerToken(header);
        return operatorKeys.Matches(given) || MatchesOlderSetting(given);
    }

    /// <summary><see cref="DashboardAccessOptions.OperatorKey"/>, read at each request as it always was (options may be reloaded).</summary>
    bool MatchesOlderSetting(string? given) =>
        options.Value.OperatorKey is { Length: > 0 } key && given is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    static string? BearerToken(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;

    static string? BasicPassword(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : decoded[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
