using System.Text.Json;
using Microsoft.Extensions.Options;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Model;
using SeedGrains.Silo.Hosting;

namespace SeedGrains.Silo.Api;

/// <summary>
/// POST /v1/completions, OpenAI-compatible: fill-in-the-middle between `prompt` and `suffix` with a masked region of
/// `max_tokens`, on a transient session. Streaming sends the generated text's stable prefix (up to the first
/// still-masked token) as it grows, so chunks only ever append, then a final chunk with finish_reason and `[DONE]`.
/// finish_reason is "length" when the completion re-encodes to max_tokens tokens, else "stop".
/// </summary>
internal static class CompletionEndpoints
{
    private const int DefaultMaxTokens = 16;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/completions", Complete).WithName("CreateCompletion").WithTags("Completions")
            .Accepts<CompletionBody>("application/json").Produces<CompletionResponse>().Produces(200, contentType: "text/event-stream")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(415).ProducesProblem(429).ProducesProblem(503);
    }

    private static async Task Complete(HttpContext context, ApiKeyAuthenticator auth, IGrainFactory grains, ModelRuntimes model,
        IOptions<HostLimits> limits, IOptions<SeedGrains.Grains.Sessions.SessionOptions> sessionOptions, ApiClock clock, ILoggerFactory loggers)
    {
        var tenant = await auth.Tenant(context);
        var body = await ApiJson.ReadBody<CompletionBody>(context.Request);
        var maxTokens = body.MaxTokens ?? DefaultMaxTokens;
        if (maxTokens < 1 || maxTokens > sessionOptions.Value.MaxRegionTokens)
            throw new ApiProblemException(400, "Invalid request", $"max_tokens = {maxTokens} is out of range 1..{sessionOptions.Value.MaxRegionTokens}.");
        var prompt = body.Prompt;
        var suffix = body.Suffix ?? "";
        var id = "cmpl-" + Guid.NewGuid().ToString("N");
        var created = clock.Time.GetUtcNow().ToUnixTimeSeconds();
        var session = SessionEndpoints.Session(grains, tenant, id);
        var maxChars = await SessionEndpoints.MaxTextChars(grains, tenant, limits.Value);
        await session.Create(new CreateSessionRequest(prompt + suffix, [new TextRegion(prompt.Length, prompt.Length, maxTokens)],
            SessionPriority.Interactive, Transient: true, maxChars));

        var completion = new Completion(context, session, id, created, model, prompt, suffix, maxTokens);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(limits.Value.CompletionTimeoutSeconds), clock.Time);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted);
        var timedOut = $"The completion did not finish within {limits.Value.CompletionTimeoutSeconds:0.#} s.";
        if (body.Stream)
        {
            await Stream(completion, timedOut, loggers.CreateLogger(typeof(CompletionEndpoints)), deadline.Token, cancel.Token);
            return;
        }
        try
        {
            await Whole(completion, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            await session.Cancel();
            if (context.RequestAborted.IsCancellationRequested) throw;
            throw new ApiProblemException(503, "Model unavailable", timedOut);
        }
    }

    /// <summary>What one completion request is about.</summary>
    private sealed record Completion(HttpContext Context, ISessionGrain Session, string Id, long Created, ModelRuntimes Model,
        string Prompt, string Suffix, int MaxTokens);

    private static async Task Whole(Completion c, CancellationToken cancellationToken)
    {
        SessionSnapshot? last = null;
        await foreach (var update in c.Session.Watch(untilSettled: true, cancellationToken).WithCancellation(cancellationToken))
            last = update.Snapshot;
        if (last is null || last.Status != SessionStatus.Idle)
            throw new ApiProblemException(503, "Model unavailable", $"The completion failed: {last?.Error ?? last?.Status.ToWire() ?? "no result"}");
        var text = Generated(last.Text, c.Prompt, c.Suffix);
        var tokens = c.Model.Tokenizer.EncodeVerbatim(text).Ids.Length;
        var promptTokens = c.Model.Tokenizer.EncodeVerbatim(c.Prompt + c.Suffix).Ids.Length;
        await Results.Json(new CompletionResponse(c.Id, "text_completion", c.Created, c.Model.ModelName,
                [new CompletionChoice(text, 0, null, tokens >= c.MaxTokens ? "length" : "stop")],
                new CompletionUsage(promptTokens, tokens, promptTokens + tokens)), Json)
            .ExecuteAsync(c.Context);
    }

    /// <summary>
    /// Streams the completion. Once the first event is out no status can be sent, so every failure (deadline, failed
    /// session, an error) ends the stream the same well-formed way: an error event, then `[DONE]`. A client that went
    /// away gets nothing more.
    /// </summary>
    private static async Task Stream(Completion c, string timedOut, ILogger logger, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var response = c.Context.Response;
        ServerSentEvents.Start(response);
        (string Message, string Type)? failure;
        try
        {
            failure = await StreamChunks(c, cancellationToken);
        }
        catch (OperationCanceledException) when (c.Context.RequestAborted.IsCancellationRequested)
        {
            await CancelQuietly(c.Session, logger);
            return;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await CancelQuietly(c.Session, logger);
            failure = (timedOut, "timeout");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Streamed completion {Id} failed (trace {TraceId})", c.Id, c.Context.TraceIdentifier);
            await CancelQuietly(c.Session, logger);
            failure = ($"The completion failed; the server log has the details under trace id {c.Context.TraceIdentifier}.", "server_error");
        }
        if (failure is { } f)
            await ServerSentEvents.WriteRaw(response, JsonSerializer.Serialize(new { error = new { message = f.Message, type = f.Type } }, Json));
        await ServerSentEvents.WriteRaw(response, "[DONE]");
    }

    /// <summary>Sends the stable prefix as it grows, then the final chunk; a session that did not end idle is the failure returned.</summary>
    private static async Task<(string Message, string Type)?> StreamChunks(Completion c, CancellationToken cancellationToken)
    {
        var sent = 0;
        SessionSnapshot? last = null;
        await foreach (var update in c.Session.Watch(untilSettled: true, cancellationToken).WithCancellation(cancellationToken))
        {
            last = update.Snapshot;
            var stable = StablePrefix(last, c.Prompt, c.Suffix);
            if (stable.Length > sent)
            {
                await ServerSentEvents.WriteRaw(c.Context.Response, Chunk(c, stable[sent..], null));
                sent = stable.Length;
            }
        }
        if (last is not { Status: SessionStatus.Idle })
            return ($"The completion failed: {last?.Error ?? last?.Status.ToWire() ?? "no result"}", "server_error");
        var tokens = c.Model.Tokenizer.EncodeVerbatim(Generated(last.Text, c.Prompt, c.Suffix)).Ids.Length;
        await ServerSentEvents.WriteRaw(c.Context.Response, Chunk(c, "", tokens >= c.MaxTokens ? "length" : "stop"));
        return null;
    }

    /// <summary>Stops the transient session; a failure to do so must not hide the answer already under way.</summary>
    private static async Task CancelQuietly(ISessionGrain session, ILogger logger)
    {
        try
        {
            await session.Cancel();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not cancel a completion's session");
        }
    }

    private static string Chunk(Completion c, string text, string? finishReason) =>
        JsonSerializer.Serialize(new CompletionResponse(c.Id, "text_completion", c.Created, c.Model.ModelName, [new CompletionChoice(text, 0, null, finishReason)], null), Json);

    /// <summary>The generated middle: fixed text is byte-identical, so it is whatever lies between prompt and suffix.</summary>
    private static string Generated(string text, string prompt, string suffix) =>
        text.Substring(prompt.Length, text.Length - prompt.Length - suffix.Length);

    /// <summary>
    /// Generated text up to the first still-masked token (where the snapshot says it is: the model may well write
    /// "&lt;|mask|&gt;" as text), minus a trailing partial character.
    /// </summary>
    private static string StablePrefix(SessionSnapshot snapshot, string prompt, string suffix)
    {
        var middle = Generated(snapshot.Text, prompt, suffix);
        if (snapshot.Masked == 0) return middle;
        var firstMask = snapshot.Regions.Where(r => r.FirstMask >= prompt.Length).Select(r => r.FirstMask - prompt.Length).DefaultIfEmpty(middle.Length).Min();
        return middle[..Math.Min(firstMask, middle.Length)].TrimEnd('\uFFFD');
    }
}
