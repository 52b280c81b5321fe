using Microsoft.AspNetCore.Diagnostics;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Bodies for errors that leave without one (the router's 404 and 405, a bare status set by a framework component):
/// problem details, like every other error.
/// </summary>
internal static class StatusCodeProblems
{
    public static Task Write(StatusCodeContext statusContext)
    {
        var context = statusContext.HttpContext;
        var status = context.Response.StatusCode;
        var detail = status switch
        {
            StatusCodes.Status404NotFound => $"No route matches {ApiText.Echo(context.Request.Method, 16)} {ApiText.Echo(context.Request.Path.Value ?? "")}.",
            StatusCodes.Status405MethodNotAllowed => $"{ApiText.Echo(context.Request.Method, 16)} is not allowed on {ApiText.Echo(context.Request.Path.Value ?? "")}.",
            // The router refuses a body whose Content-Type the endpoint does not accept (ApiJson has the same rule).
            StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with 'Content-Type: application/json'.",
            _ => ProblemTitles.For(status) + ".",
        };
        return ProblemResponse.Write(context, status, ProblemTitles.For(status), detail);
    }
}
