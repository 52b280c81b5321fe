using SeedGrains.Silo.Playground;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Response headers for browsers: no MIME sniffing anywhere; the pages (playground, dashboard) may not be framed, send
/// no referrer and run only scripts served by this host (content security policy).
/// </summary>
internal sealed class SecurityHeaders(RequestDelegate next)
{
    /// <summary>The playground loads only its own script and style files and talks only to this host.</summary>
    public const string PlaygroundPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The Orleans dashboard's bundle renders charts and diagrams that set inline styles (and its HTML has a style
    /// attribute), so styles allow 'unsafe-inline'; scripts stay 'self' only. Icons are fonts and data: images.
    /// </summary>
    public const string DashboardPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        var path = context.Request.Path;
        var policy = path.StartsWithSegments(DashboardAccess.Path) ? DashboardPolicy
            : PlaygroundPage.Serves(path) ? PlaygroundPolicy
            : null;
        if (policy is not null)
        {
            headers.ContentSecurityPolicy = policy;
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
        }
        return next(context);
    }
}
