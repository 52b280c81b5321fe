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
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(429).ProducesProblem(503);
    }

    private static async Task Complete(HttpContext context, ApiKeyAuthenticator auth, IGrainFactory grains, ModelRuntimes model,
        IOptions<HostLimits> limits, IOptions<SeedGrains.Grains.Sessions.SessionOptions> sessionOptions)
    {
        var tenant = await auth.Tenant(context);
        var body = await ApiJson.ReadBody<CompletionBody>(context.Request);
        var maxTokens = body.MaxTokens ?? DefaultMaxTokens;
        if (maxTokens < 1 || maxTokens > sessionOptions.Value.MaxRegionTokens)
            throw new ApiProblemException(400, "Invalid request", $"max_tokens = {maxTokens} is out of range 1..{sessionOptions.Value.MaxRegionTokens}.");
        var prompt = body.Prompt;
        var suffix = body.Suffix ?? "";
        var id = "cmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var session = SessionEndpoints.Session(grains, tenant, id);
        var maxChars = await SessionEndpoints.MaxTextChars(grains, tenant, limits.Value);
        await session.Create(new CreateSessionRequest(prompt + suffix, [new TextRegion(prompt.Length, prompt.Length, maxTokens)],
            SessionPriority.Interactive, Transient: true, maxChars));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(limits.Value.CompletionTimeoutSeconds));
        try
        {
            if (body.Stream)
                await Stream(context, session, id, created, model, prompt, suffix, maxTokens, timeout.Token);
            else
                await Whole(context, session, id, created, model, prompt, suffix, maxTokens, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await session.Cancel();
            if (context.RequestAborted.IsCancellationRequested) throw;
            throw new ApiProblemException(503, "Model unavailable", $"The completion did not finish within {limits.Value.CompletionTimeoutSeconds:0.#} s.");
        }
    }

    private static async Task Whole(HttpContext context, ISessionGrain session, string id, long created, ModelRuntimes model,
        string prompt, string suffix, int maxTokens, CancellationToken cancellationToken)
    {
        SessionSnapshot? last = null;
        await foreach (var update in session.Watch(untilSettled: true, cancellationToken).WithCancellation(cancellationToken))
            last = update.Snapshot;
        if (last is null || last.Status != SessionStatus.Idle)
            throw new ApiProblemException(503, "Model unavailable", $"The completion failed: {last?.Error ?? last?.Status.ToWire() ?? "no result"}");
        var text = Generated(last.Text, prompt, suffix);
        var tokens = model.Tokenizer.EncodeVerbatim(text).Ids.Length;
        var promptTokens = model.Tokenizer.EncodeVerbatim(prompt + suffix).Ids.Length;
        await Results.Json(new CompletionResponse(id, "text_completion", created, model.ModelName,
                [new CompletionChoice(text, 0, null, tokens >= maxTokens ? "length" : "stop")],
                new CompletionUsage(promptTokens, tokens, promptTokens + tokens)), Json)
            .ExecuteAsync(context);
    }

    private static async Task Stream(HttpContext context, ISessionGrain session, string id, long created, ModelRuntimes model,
        string prompt, string suffix, int maxTokens, CancellationToken cancellationToken)
    {
        ServerSentEvents.Start(context.Response);
        var sent = 0;
        SessionSnapshot? last = null;
        await foreach (var update in session.Watch(untilSettled: true, cancellationToken).WithCancellation(cancellationToken))
        {
            last = update.Snapshot;
            var stable = StablePrefix(last, prompt, suffix);
            if (stable.Length > sent)
            {
                await ServerSentEvents.WriteRaw(context.Response, Chunk(id, created, model, stable[sent..], null));
                sent = stable.Length;
            }
        }
        if (last is { Status: SessionStatus.Idle })
        {
            var text = Generated(last.Text, prompt, suffix);
            var tokens = model.Tokenizer.EncodeVerbatim(text).Ids.Length;
            await ServerSentEvents.WriteRaw(context.Response, Chunk(id, created, model, "", tokens >= maxTokens ? "length" : "stop"));
        }
        else
        {
            var error = new { error = new { message = $"The completion failed: {last?.Error ?? last?.Status.ToWire() ?? "no result"}", type = "server_error" } };
            await ServerSentEvents.WriteRaw(context.Response, JsonSerializer.Serialize(error, Json));
        }
        await ServerSentEvents.WriteRaw(context.Response, "[DONE]");
    }

    private static string Chunk(string id, long created, ModelRuntimes model, string text, string? finishReason) =>
        JsonSerializer.Serialize(new CompletionResponse(id, "text_completion", created, model.ModelName, [new CompletionChoice(text, 0, null, finishReason)], null), Json);

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
