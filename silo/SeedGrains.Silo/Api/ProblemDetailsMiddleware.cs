using System.Text.Json;
using SeedGrains.Abstractions.Errors;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Every error leaves as RFC 7807 problem details (application/problem+json) with a status that says what went wrong —
/// never a stack trace. Unexpected exceptions are logged with the trace id the client sees.
/// </summary>
internal sealed class ProblemDetailsMiddleware(RequestDelegate next, ILogger<ProblemDetailsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            var (status, title, extensions) = Classify(ex);
            var storageDown = status == StatusCodes.Status503ServiceUnavailable && StorageFailure(ex) is not null;
            if (status >= 500 && ex is not (ModelBusyException or ModelUnavailableException) && !storageDown)
                logger.LogError(ex, "Request {Method} {Path} failed (trace {TraceId})", context.Request.Method, context.Request.Path, context.TraceIdentifier);
            var detail = status == StatusCodes.Status500InternalServerError && ex is not ModelStepFailedException
                ? $"An internal error occurred; the server log has the details under trace id {context.TraceIdentifier}."
                : storageDown ? "Storage did not answer, so nothing was changed; retry later." : ex.Message;
            if (ex is ModelBusyException || storageDown) context.Response.Headers.RetryAfter = "1";
            if (status == StatusCodes.Status401Unauthorized && context.Response.Headers.WWWAuthenticate.Count == 0)
                context.Response.Headers.WWWAuthenticate = "Bearer";
            extensions["traceId"] = context.TraceIdentifier;
            await TypedResults.Problem(detail, context.Request.Path, status, title, extensions: extensions).ExecuteAsync(context);
        }
    }

    /// <summary>Our own exception types first; then a storage failure wrapped by Orleans (e.g. while activating a grain).</summary>
    private static (int Status, string Title, Dictionary<string, object?> Extensions) Classify(Exception ex) => ClassifyOwn(ex) switch
    {
        { Status: 500 } when ex is not ModelStepFailedException && StorageFailure(ex) is not null => (503, "Storage unavailable", []),
        var own => own,
    };

    private static StorageUnavailableException? StorageFailure(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is StorageUnavailableException storage) return storage;
        return null;
    }

    private static (int Status, string Title, Dictionary<string, object?> Extensions) ClassifyOwn(Exception ex) => ex switch
    {
        ApiProblemException p => (p.Status, p.Title, []),
        InvalidSessionRequestException => (400, "Invalid request", []),
        JsonException => (400, "Invalid JSON", []),
        BadHttpRequestException b => (b.StatusCode, "Bad request", []),
        SessionNotFoundException => (404, "Session not found", []),
        StaleVersionException s => (409, "Stale version", new() { ["currentVersion"] = s.CurrentVersion }),
        RegionBusyException => (409, "Region is still being generated", []),
        QuotaExceededException => (429, "Quota exceeded", []),
        ModelBusyException => (503, "Model busy", []),
        ModelUnavailableException => (503, "Model unavailable", []),
        StorageUnavailableException => (503, "Storage unavailable", []),
        ModelStepFailedException => (500, "Model error", []),
        _ => (500, "Internal error", []),
    };
}
