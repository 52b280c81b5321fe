using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SeedGrains.Abstractions.Jobs;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Jobs;
using SeedGrains.Silo.Hosting;

namespace SeedGrains.Silo.Api;

/// <summary>/v1/jobs: refactor jobs over many files — submit (JSON or an archive), list, read, watch (SSE), pause, resume, cancel, the patch and each file.</summary>
internal static partial class JobEndpoints
{
    /// <summary>How often the event stream looks at the job (it sends an event only when something changed).</summary>
    private static readonly TimeSpan EventInterval = TimeSpan.FromMilliseconds(500);

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/jobs").WithTags("Jobs");
        group.MapPost("", Create).WithName("CreateJob").WithSummary("Start a refactor job")
            .WithDescription("JSON: `files` (path, text, optional `ranges`), `select` (`todo`, `regex:PATTERN`, `python-body:NAME_PATTERN` or `ranges`), `decoding`, `concurrency`. Or a `.tar.gz` (`application/gzip`) or `.zip` (`application/zip`) body with `?select=`, `?concurrency=` and the `decoding` fields as query parameters (`policy`, `threshold`, `entropyBound`, `maxSteps`, `blockSize`, `temperature`, `seed`) (32 MiB compressed, 128 MiB expanded). Files the selection does not match are left out. 201 with the job.")
            .Accepts<CreateJobBody>("application/json", "application/gzip", "application/zip").Produces<JobView>(StatusCodes.Status201Created)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(429).ProducesProblem(503);
        group.MapGet("", List).WithName("ListJobs").WithSummary("List your jobs")
            .WithDescription("The calling tenant's jobs, newest first (`?limit=`, default 100).").Produces<JobList>().ProducesProblem(400).ProducesProblem(401);
        group.MapGet("/{id}", Get).WithName("GetJob").WithSummary("Read a job")
            .WithDescription("Status (queued, running, paused, succeeded, failed, cancelled), files total/done/failed, tokens, elapsed seconds, tokens per second and ETA.")
            .Produces<JobView>().ProducesProblem(401).ProducesProblem(404);
        group.MapGet("/{id}/events", Events).WithName("WatchJob").WithSummary("Watch a job")
            .WithDescription("Server-sent events: a `progress` event (the job, as GET) now and whenever it changes; the stream ends once the job is finished.")
            .Produces<JobView>(200, "text/event-stream").ProducesProblem(401).ProducesProblem(404);
        group.MapPost("/{id}/pause", Pause).WithName("PauseJob").WithSummary("Pause a job")
            .WithDescription("No new file starts; files under way finish and are recorded. 409 for a finished job.").Produces<JobView>().ProducesProblem(401).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{id}/resume", Resume).WithName("ResumeJob").WithSummary("Resume a job")
            .WithDescription("Starts files again. 409 for a finished job.").Produces<JobView>().ProducesProblem(401).ProducesProblem(404).ProducesProblem(409);
        group.MapDelete("/{id}", Cancel).WithName("CancelJob").WithSummary("Cancel a job")
            .WithDescription("Stops the job; files under way are dropped, results already recorded stay. 409 for a job that finished otherwise.").Produces<JobView>().ProducesProblem(401).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{id}/patch", Patch).WithName("GetJobPatch").WithSummary("The job's patch")
            .WithDescription("A unified diff (`git apply` takes it) of every file changed so far, in file order.").Produces<string>(200, "text/x-diff").ProducesProblem(401).ProducesProblem(404);
        group.MapGet("/{id}/files/{n:int}", File).WithName("GetJobFile").WithSummary("One file of a job")
            .WithDescription("File n (0-based, in the job's order): its path, status (pending, succeeded, failed), new text, tokens and error.").Produces<JobFileView>().ProducesProblem(401).ProducesProblem(404);
    }

    private static async Task<IResult> Create(HttpContext context, ApiKeyAuthenticator auth, IGrainFactory grains, IOptions<HostLimits> limits)
    {
        var tenant = await auth.Tenant(context);
        var maxChars = await SessionEndpoints.MaxTextChars(grains, tenant, limits.Value);
        CreateJobRequest request;
        if (JobArchive.IsArchive(context.Request.ContentType))
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = JobArchive.MaxArchiveBytes + 1;
            var select = context.Request.Query["select"].ToString();
            if (select.Length == 0) throw BodyRules.Invalid($"An archive upload needs ?select= ({JobSelectionSyntax.Help}).", "select");
            var files = await JobArchive.Read(context.Request);
            var decoding = DecodingFromQuery(context.Request);
            request = JobSubmission.Build(files.Select(f => (f.Path, f.Text, (IReadOnlyList<TextRegion>?)null)).ToList(), select, decoding,
                Number(context.Request, "concurrency"), maxChars);
        }
        else
        {
            var body = await ApiJson.ReadBody<CreateJobBody>(context.Request);
            request = JobSubmission.Build(body.Files.Select(f => (f.Path, (string?)f.Text, (IReadOnlyList<TextRegion>?)f.Ranges?.Select(r => r.ToRegion()).ToList())).ToList(),
                body.Select, body.Decoding?.ToRequest(), body.Concurrency, maxChars);
        }
        var progress = await grains.GetGrain<IJobDirectoryGrain>(tenant).Submit(request);
        return Results.Created($"/v1/jobs/{progress.Id}", JobView.From(progress));
    }

    private static async Task<IResult> List(HttpContext context, ApiKeyAuthenticator auth, IGrainFactory grains)
    {
        var tenant = await auth.Tenant(context);
        var limit = SessionListQueryLimit(context.Request);
        var jobs = await grains.GetGrain<IJobDirectoryGrain>(tenant).List(limit);
        return Results.Ok(new JobList(jobs.Select(JobView.From).ToList()));
    }

    private static async Task<IResult> Get(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains) =>
        Results.Ok(JobView.From(await (await Job(context, id, auth, grains)).Get()));

    private static async Task<IResult> Pause(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains) =>
        Results.Ok(JobView.From(await (await Job(context, id, auth, grains)).Pause()));

    private static async Task<IResult> Resume(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains) =>
        Results.Ok(JobView.From(await (await Job(context, id, auth, grains)).Resume()));

    private static async Task<IResult> Cancel(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains) =>
        Results.Ok(JobView.From(await (await Job(context, id, auth, grains)).Cancel()));

    private static async Task<IResult> File(HttpContext context, string id, int n, ApiKeyAuthenticator auth, IGrainFactory grains) =>
        Results.Ok(JobFileView.From(await (await Job(context, id, auth, grains)).File(n)));

    /// <summary>Polls the job (cheap: the grain answers from memory) and sends an event whenever it changed.</summary>
    private static async Task Events(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains)
    {
        var job = await Job(context, id, auth, grains);
        var progress = await job.Get(); // before answering: an unknown job is still a 404
        ServerSentEvents.Start(context.Response);
        JobView? sent = null;
        while (true)
        {
            var view = JobView.From(progress);
            if (sent is null || sent with { ElapsedSeconds = 0, EtaSeconds = null, TokensPerSecond = null } != view with { ElapsedSeconds = 0, EtaSeconds = null, TokensPerSecond = null })
            {
                await ServerSentEvents.Write(context.Response, view, "progress");
                sent = view;
            }
            if (progress.Status.IsFinished()) return;
            await Task.Delay(EventInterval, context.RequestAborted); // real time: a poll interval, not an API clock reading
            progress = await job.Get();
        }
    }

    /// <summary>Streams the diff page by page: the job's files are never all in memory here either.</summary>
    private static async Task Patch(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains)
    {
        var job = await Job(context, id, auth, grains);
        var page = await job.Files(0, 100); // before answering: an unknown job is still a 404
        context.Response.ContentType = "text/x-diff; charset=utf-8";
        while (page.Count > 0)
        {
            foreach (var file in page.Where(f => f.Result is { Outcome: JobFileOutcome.Succeeded, NewText: not null }))
                await context.Response.WriteAsync(UnifiedPatch.For(file.File.Path, file.File.Text, file.Result!.NewText!), context.RequestAborted);
            page = await job.Files(page[^1].Index + 1, 100);
        }
    }

    /// <summary>The <c>decoding</c> object of a JSON submission, given as query parameters of an archive upload.</summary>
    private static DecodingRequest DecodingFromQuery(HttpRequest request)
    {
        var policy = request.Query["policy"].ToString();
        return new DecodingBody
        {
            Policy = policy.Length == 0 ? null : policy,
            Threshold = Real(request, "threshold"),
            EntropyBound = Real(request, "entropyBound"),
            MaxSteps = Number(request, "maxSteps"),
            BlockSize = Number(request, "blockSize"),
            Temperature = Real(request, "temperature"),
            Seed = Number(request, "seed"),
        }.ToRequest();
    }

    /// <summary>An optional whole-number query parameter of an archive upload.</summary>
    private static int? Number(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0) return null;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value : throw BodyRules.Invalid($"{name} must be a whole number.", name);
    }

    /// <summary>An optional decimal query parameter of an archive upload (invariant culture: <c>0.9</c>).</summary>
    private static float? Real(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0) return null;
        return float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value : throw BodyRules.Invalid($"{name} must be a number.", name);
    }

    private static int SessionListQueryLimit(HttpRequest request)
    {
        var text = request.Query["limit"].ToString();
        if (text.Length == 0) return 100;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 500
            ? value : throw BodyRules.Invalid("limit must be between 1 and 500.", "limit");
    }

    private static async Task<IJobGrain> Job(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains)
    {
        var tenant = await auth.Tenant(context);
        if (!JobId().IsMatch(id))
            throw new ApiProblemException(StatusCodes.Status404NotFound, "Job not found", $"No job '{ApiText.Echo(id)}'.");
        return grains.GetGrain<IJobGrain>(JobKey.Of(tenant, id));
    }

    [GeneratedRegex("^j_[a-f0-9]{32}$")]
    private static partial Regex JobId();
}
