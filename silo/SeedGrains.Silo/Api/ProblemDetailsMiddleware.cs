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
                : storageDown ? "Storage did not answer, so nothing was changed; retry later."
                : ex is JsonException json ? JsonErrorText.Describe(json) : ex.Message;
            // Defence in depth: whatever the source of a message, .NET type names stay in the log.
            if (JsonErrorText.InternalName().IsMatch(detail))
            {
                logger.LogWarning("Request {Method} {Path}: an error detail named an internal type: {Detail}", context.Request.Method, context.Request.Path, detail);
                detail = $"The request could not be processed ({title}).";
            }
            if (ex is ModelBusyException || storageDown) context.Response.Headers.RetryAfter = "1";
            if (ex is QuotaExceededException) context.Response.Headers.RetryAfter = QuotaRetryAfterSeconds;
            if (status == StatusCodes.Status401Unauthorized && context.Response.Headers.WWWAuthenticate.Count == 0)
                context.Response.Headers.WWWAuthenticate = "Bearer";
            await ProblemResponse.Write(context, status, title, detail, extensions);
        }
        catch (Exception ex)
        {
            // The answer has started (an event stream): no status can be sent any more. Streams write their own error
            // event when they can; here the connection is cut so the client sees a truncated answer, not a complete one.
            logger.LogWarning(ex, "Request {Method} {Path} failed after its answer started (trace {TraceId})", context.Request.Method, context.Request.Path, context.TraceIdentifier);
            context.Abort();
        }
    }

    /// <summary>
    /// A denoising session frees its quota slot when it settles, typically within seconds; asking again sooner only
    /// meets the same answer.
    /// </summary>
    private const string QuotaRetryAfterSeconds = "5";

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
        ApiProblemException p => (p.Status, p.Title, p.Param is null ? [] : new() { ["param"] = p.Param }),
        InvalidSessionRequestException => (400, "Invalid request", []),
        JsonException => (400, "Invalid JSON", []),
        BadHttpRequestException b => (b.StatusCode, ProblemTitles.For(b.StatusCode), []),
        SessionNotFoundException => (404, "Session not found", []),
        EditConflictException c => (409, "Edit conflict", new()
        {
            ["currentVersion"] = c.CurrentVersion,
            ["conflict"] = new Dictionary<string, object?> { ["start"] = c.Start, ["end"] = c.End, ["version"] = c.ConflictingVersion, ["author"] = c.ConflictingAuthor },
        }),
        BaseVersionTooOldException o => (409, "Base version too old", new() { ["currentVersion"] = o.CurrentVersion, ["oldestBaseVersion"] = o.OldestBaseVersion }),
        QuotaExceededException => (429, "Quota exceeded", []),
        JobNotFoundException => (404, "Job not found", []),
        JobLimitException => (409, "Job too large", []),
        JobStateException => (409, "Job state conflict", []),
        ModelBusyException => (503, "Model busy", []),
        ModelUnavailableException => (503, "Model unavailable", []),
        StorageUnavailableException => (503, "Storage unavailable", []),
        ModelStepFailedException => (500, "Model error", []),
        _ => (500, "Internal error", []),
    };
}
