using System.Text.RegularExpressions;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Every response carries `x-request-id`. A caller's own id (a proxy's, a client's retry key) is kept when it is a
/// plain token of at most 64 characters, else one is made. The id is also the request's trace identifier, so the
/// `traceId` in problem details, the id in a server log line and the header a client saw are one value.
/// </summary>
internal sealed partial class RequestIds(RequestDelegate next, ILogger<RequestIds> logger)
{
    public const string Header = "x-request-id";

    public async Task InvokeAsync(HttpContext context)
    {
        var offered = context.Request.Headers[Header].ToString();
        var id = PlainToken().IsMatch(offered) ? offered : "req_" + Guid.NewGuid().ToString("N");
        context.TraceIdentifier = id;
        context.Response.Headers[Header] = id;
        using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = id }))
        {
            await next(context);
            if (logger.IsEnabled(LogLevel.Debug))
                logger.LogDebug("{Method} {Path} → {Status} (request {RequestId})", context.Request.Method,
                    ApiText.Echo(context.Request.Path.Value ?? ""), context.Response.StatusCode, id);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex PlainToken();
}
