using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Guards <c>/dashboard</c>: a tenant API key is not enough, because the dashboard is cluster-wide. Browsers ask for the
/// operator key through the Basic prompt (the 401 carries <c>WWW-Authenticate: Basic</c>). The log stream is refused
/// to everyone unless <see cref="DashboardAccessOptions.AllowTrace"/>.
/// </summary>
internal sealed class DashboardAccess(RequestDelegate next, IOptions<DashboardAccessOptions> options)
{
    public const string Path = "/dashboard";

    /// <summary>The dashboard's live log stream.</summary>
    public const string TracePath = Path + "/Trace";

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(Path)) return next(context);
        if (context.Request.Path.StartsWithSegments(TracePath, StringComparison.OrdinalIgnoreCase) && !options.Value.AllowTrace)
            throw new ApiProblemException(StatusCodes.Status404NotFound, ProblemTitles.For(StatusCodes.Status404NotFound),
                "The dashboard's log stream is off (set Dashboard:AllowTrace=true to serve it).");
        if (Allowed(context)) return next(context);
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"SeedGrains dashboard\", charset=\"UTF-8\"";
        throw new ApiProblemException(StatusCodes.Status401Unauthorized, "Unauthorized",
            string.IsNullOrEmpty(options.Value.OperatorKey)
                ? "The dashboard is open to this machine only (set Dashboard:OperatorKey to allow others)."
                : "The dashboard needs the operator key as the password of HTTP Basic authentication.");
    }

    bool Allowed(HttpContext context)
    {
        var o = options.Value;
        if (o.AllowLoopback && context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)) return true;
        return o.OperatorKey is { Length: > 0 } key && BasicPassword(context.Request.Headers.Authorization.ToString()) is { } given
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key));
    }

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
