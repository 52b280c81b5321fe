using System.Text.Json;
using Microsoft.Extensions.Options;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Model;
using SeedGrains.Silo.Hosting;

namespace SeedGrains.Silo.Api;

/// <summary>
/// POST /v1/completions, OpenAI-compatible: fill-in-the-middle between `prompt` and `suffix` with a masked region of
/// `max_tokens`, one transient session per choice (each prompt × `n`). Streaming sends each choice's text as it
/// becomes final, so chunks only ever append, then a chunk with its finish_reason, an optional usage chunk and
/// `[DONE]`. finish_reason is "stop" when a stop string ended the text or the model ended the region early, "length"
/// when the completion re-encodes to max_tokens tokens.
/// </summary>
internal static class CompletionEndpoints
{
    private const int DefaultMaxTokens = 16;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public static void Map(IEndpointRouteBuilder app)
    {
        var route = app.MapPost("/v1/completions", Complete).WithName("CreateCompletion").WithTags("Completions")
            .WithSummary("Create a completion")
            .WithDescription("Fills the middle between `prompt` and `suffix` (OpenAI's completions API). With `stream: true` the answer is server-sent events, each `data:` one chunk of this shape, then `[DONE]`.")
            .Accepts<CompletionBody>("application/json").Produces<CompletionResponse>(200, "application/json", "text/event-stream");
        OpenAi.OpenAiErrors.Document(route, 400, 401, 413, 415, 429, 503);
    }

    private static async Task Complete(HttpContext context, ApiKeyAuthenticator auth, IGrainFactory grains, ModelRuntimes model,
        IOptions<HostLimits> limits, IOptions<SeedGrains.Grains.Sessions.SessionOptions> sessionOptions, ApiClock clock, ILoggerFactory loggers)
    {
        var tenant = await auth.Tenant(context);
        var body = await ApiJson.ReadBody<CompletionBody>(context.Request);
        var maxTokens = body.MaxTokens ?? DefaultMaxTokens;
        if (maxTokens < 1 || maxTokens > sessionOptions.Value.MaxRegionTokens)
            throw new ApiProblemException(400, "Invalid request", $"max_tokens = {maxTokens} is out of range 1..{sessionOptions.Value.MaxRegionTokens}.") { Param = "max_tokens" };
        var logger = loggers.CreateLogger(typeof(CompletionEndpoints));
        var id = "cmpl-" + Guid.NewGuid().ToString("N");
        var suffix = body.Suffix ?? "";
        var stops = new StopSequences(body.Stops);
        var maxChars = await SessionEndpoints.MaxTextChars(grains, tenant, limits.Value);

        var runs = new List<CompletionChoiceRun>();
        try
        {
            foreach (var prompt in body.Prompts)
                for (var j = 0; j < body.Choices; j++)
                {
                    var session = SessionEndpoints.Session(grains, tenant, runs.Count == 0 ? id : $"{id}-{runs.Count}");
                    await session.Create(new CreateSessionRequest(prompt + suffix, [new TextRegion(prompt.Length, prompt.Length, maxTokens)],
                        SessionPriority.Interactive, Transient: true, maxChars));
                    runs.Add(new CompletionChoiceRun(session, runs.Count, prompt, suffix, maxTokens, stops, model.Tokenizer));
                }
        }
        catch
        {
            await CancelQuietly(runs, logger); // e.g. the tenant's session quota ran out half way: nothing half-started stays
            throw;
        }

        var completion = new Completion(context, runs, id, clock.Time.GetUtcNow().ToUnixTimeSeconds(), model.ModelName,
            PromptTokens(model, body.Prompts, suffix));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(limits.Value.CompletionTimeoutSeconds), clock.Time);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted);
        var timedOut = $"The completion did not finish within {limits.Value.CompletionTimeoutSeconds:0.#} s.";
        if (body.Stream)
        {
            await CompletionStream.Send(completion, body.StreamOptions?.IncludeUsage ?? false, timedOut, logger, deadline.Token, cancel.Token);
            return;
        }
        try
        {
            await Whole(completion, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            await CancelQuietly(runs, logger);
            if (context.RequestAborted.IsCancellationRequested) throw;
            throw new ApiProblemException(503, "Model unavailable", timedOut);
        }
        catch (CompletionFailedException failed)
        {
            await CancelQuietly(runs, logger);
            throw new ApiProblemException(503, "Model unavailable", failed.Message);
        }
    }

    /// <summary>Each prompt is read once, whatever n is (as OpenAI counts it).</summary>
    private static int PromptTokens(ModelRuntimes model, IReadOnlyList<string> prompts, string suffix) =>
        prompts.Sum(p => p.Length + suffix.Length == 0 ? 0 : model.Tokenizer.EncodeVerbatim(p + suffix).Ids.Length);

    private static async Task Whole(Completion c, CancellationToken cancellationToken)
    {
        var choices = await Task.WhenAll(c.Runs.Select(async run =>
        {
            var text = new System.Text.StringBuilder();
            string? reason = null;
            await foreach (var piece in run.Run(cancellationToken))
            {
                text.Append(piece.Text);
                reason = piece.FinishReason ?? reason;
            }
            return new CompletionChoice(text.ToString(), run.Index, null, reason);
        }));
        await Results.Json(new CompletionResponse(c.Id, "text_completion", c.Created, c.Model, choices, c.Usage()), Json)
            .ExecuteAsync(c.Context);
    }

    /// <summary>Stops sessions that are no longer wanted; a failure to do so must not hide the answer under way.</summary>
    public static async Task CancelQuietly(IEnumerable<CompletionChoiceRun> runs, ILogger logger)
    {
        foreach (var run in runs)
        {
            try
            {
                await run.Session.Cancel();
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not cancel a completion's session");
            }
        }
    }

    public static string Chunk(Completion c, IReadOnlyList<CompletionChoice> choices, CompletionUsage? usage = null) =>
        JsonSerializer.Serialize(new CompletionResponse(c.Id, "text_completion", c.Created, c.Model, choices, usage), Json);
}

/// <summary>What one completion request is about: its choices (each a running session) and how to answer.</summary>
internal sealed record Completion(HttpContext Context, IReadOnlyList<CompletionChoiceRun> Runs, string Id, long Created, string Model, int PromptTokens)
{
    public CompletionUsage Usage()
    {
        var generated = Runs.Sum(r => r.CompletionTokens);
        return new CompletionUsage(PromptTokens, generated, PromptTokens + generated);
    }
}
