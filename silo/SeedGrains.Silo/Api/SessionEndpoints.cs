using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Silo.Hosting;

namespace SeedGrains.Silo.Api;

/// <summary>/v1/sessions: create, list, read, watch (SSE deltas), edit (rebased), presence, cancel, purge. Sessions are scoped to the caller's tenant.</summary>
internal static partial class SessionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions").WithTags("Sessions");
        group.MapPost("", Create).WithName("CreateSession").WithSummary("Create a session")
            .WithDescription("Creates a session from `text`; each of `regions` is masked and filled by the model step by step. 201 with the first snapshot and a `Location`.")
            .Accepts<CreateSessionBody>("application/json").Produces<SessionCreated>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(401).ProducesProblem(415).ProducesProblem(429).ProducesProblem(503);
        group.MapGet("", List).WithName("ListSessions").WithSummary("List your sessions")
            .WithDescription("The calling tenant's sessions, newest first, paged with an opaque cursor; `status` filters.").Produces<SessionList>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(429);
        group.MapGet("/{id}", Get).WithName("GetSession").WithSummary("Read a session")
            .WithDescription("The session's current snapshot: text (masked tokens as `<|mask|>`), version, status and regions.").Produces<SessionView>().ProducesProblem(401).ProducesProblem(404);
        group.MapGet("/{id}/events", Events).WithName("WatchSession").WithSummary("Watch a session")
            .WithDescription("Server-sent events: a `snapshot` first (or, with `Last-Event-ID`/`?lastEventId=` still in the change log, the changes since), then one `change` per version (its ops, author, status and regions, not the text) and `presence` events; ends when the session settles unless `?follow=true`.").Produces<SessionView>(200, "text/event-stream").ProducesProblem(400).ProducesProblem(401).ProducesProblem(404);
        group.MapPost("/{id}/edits", Edit).WithName("EditSession").WithSummary("Edit a session")
            .WithDescription("Replaces ranges of the text at `baseVersion` (any version still in the change log: the edit is rebased) and/or masks ranges to regenerate, also inside regions still generating; answers the new snapshot. 409 only for an overlap with another person's change since `baseVersion`, or a base that left the log.")
            .Accepts<EditBody>("application/json").Produces<SessionView>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(415).ProducesProblem(429).ProducesProblem(503);
        group.MapPost("/{id}/presence", Presence).WithName("SessionPresence").WithSummary("Share a cursor and selection")
            .WithDescription("Broadcasts the client's cursor and selection (offsets in the text of `baseVersion`, rebased to the current version) to the session's watchers as a `presence` event; never stored, gone after 30 s of silence. 204.")
            .Accepts<PresenceBody>("application/json").Produces(StatusCodes.Status204NoContent).ProducesProblem(400).ProducesProblem(401).ProducesProblem(404).ProducesProblem(409).ProducesProblem(415);
        group.MapDelete("/{id}", Delete).WithName("CancelSession").WithSummary("Cancel or purge a session").Produces<SessionView>().Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(503)
            .WithDescription("Cancels denoising (200, the session stays). With ?purge=true removes the session and its stored state for good (204).");
    }

    private static async Task<IResult> Create(HttpContext context, ApiKeyAuthenticator auth, IGrainFactory grains, IOptions<HostLimits> limits)
    {
        var tenant = await auth.Tenant(context);
        var body = await ApiJson.ReadBody<CreateSessionBody>(context.Request);
        var id = "s_" + Guid.NewGuid().ToString("N");
        var maxChars = await MaxTextChars(grains, tenant, limits.Value);
        var snapshot = await Session(grains, tenant, id).Create(new CreateSessionRequest(
            body.Text, (body.Regions ?? []).Select(r => r.ToRegion()).ToList(), body.Priority, Transient: false, maxChars, body.Decoding?.ToRequest()));
        return Results.Created($"/v1/sessions/{id}", new SessionCreated(snapshot.Id, snapshot.Version, snapshot.Status.ToWire()));
    }

    private static async Task<IResult> Get(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains)
    {
        var tenant = await auth.Tenant(context);
        var session = Session(grains, tenant, id);
        return Results.Ok(SessionView.From(await SessionCallRetry.Run(() => session.Get())));
    }

    private static async Task Events(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains)
    {
        var tenant = await auth.Tenant(context);
        var session = Session(grains, tenant, id);
        var lastEventId = LastEventId(context.Request);
        var untilSettled = !SessionListQuery.Flag(context.Request.Query, "follow");
        // Read the first event before answering, so an unknown session is still a 404, not an empty stream.
        await using var enumerator = await SessionCallRetry.Run(async () =>
        {
            var candidate = session.Events(lastEventId, untilSettled, context.RequestAborted).GetAsyncEnumerator(context.RequestAborted);
            try
            {
                return await candidate.MoveNextAsync() ? candidate : null;
            }
            catch
            {
                await candidate.DisposeAsync();
                throw;
            }
        });
        if (enumerator is null) return;
        ServerSentEvents.Start(context.Response);
        do
        {
            await SessionEventWriter.Write(context.Response, enumerator.Current);
        }
        while (await enumerator.MoveNextAsync());
    }

    /// <summary>The version a reconnecting client saw last: the <c>Last-Event-ID</c> header, else <c>?lastEventId=</c>.</summary>
    private static long? LastEventId(HttpRequest request)
    {
        var value = request.Headers["Last-Event-ID"].ToString();
        if (value.Length == 0) value = request.Query["lastEventId"].ToString();
        if (value.Length == 0) return null;
        return long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? version
            : throw BodyRules.Invalid("Last-Event-ID must be a version number.", "lastEventId");
    }

    private static async Task<IResult> Presence(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains)
    {
        var tenant = await auth.Tenant(context);
        var body = await ApiJson.ReadBody<PresenceBody>(context.Request);
        var session = Session(grains, tenant, id);
        await SessionCallRetry.Run(async () =>
        {
            await session.SetPresence(body.ToUpdate());
            return true;
        });
        return Results.NoContent();
    }

    private static async Task<IResult> Edit(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains, IOptions<HostLimits> limits)
    {
        var tenant = await auth.Tenant(context);
        var body = await ApiJson.ReadBody<EditBody>(context.Request);
        var session = Session(grains, tenant, id);
        var maxChars = await MaxTextChars(grains, tenant, limits.Value);
        var request = new EditRequest(
            body.BaseVersion,
            (body.Edits ?? []).Select(e => new TextEdit(e.Start, e.End, e.Text)).ToList(),
            (body.Regenerate ?? []).Select(r => r.ToRegion()).ToList(),
            maxChars,
            body.Decoding?.ToRequest(), body.ClientId, body.EditId);
        var snapshot = await SessionCallRetry.Run(() => session.Edit(request));
        return Results.Ok(SessionView.From(snapshot));
    }

    private static async Task<IResult> List(HttpContext context, ApiKeyAuthenticator auth, IGrainFactory grains)
    {
        var tenant = await auth.Tenant(context);
        var query = SessionListQuery.From(context.Request.Query);
        var page = await grains.GetGrain<ISessionIndexGrain>(TenantGrainKeys.SessionIndex(tenant)).List(query.Status, query.Limit, query.Cursor);
        return Results.Ok(SessionList.From(page));
    }

    /// <summary>Cancel keeps the session; <c>?purge=true</c> removes it and its stored state for good.</summary>
    private static async Task<IResult> Delete(HttpContext context, string id, ApiKeyAuthenticator auth, IGrainFactory grains)
    {
        var tenant = await auth.Tenant(context);
        var purge = SessionListQuery.Flag(context.Request.Query, "purge");
        var session = Session(grains, tenant, id);
        if (!purge) return Results.Ok(SessionView.From(await SessionCallRetry.Run(() => session.Cancel())));
        await SessionCallRetry.Run(() => session.Purge());
        return Results.NoContent();
    }

    internal static async Task<int> MaxTextChars(IGrainFactory grains, string tenant, HostLimits limits)
    {
        var quotas = await grains.GetGrain<ITenantGrain>(tenant).GetQuotas();
        return Math.Min(limits.MaxTextChars, quotas.MaxTextChars);
    }

    internal static ISessionGrain Session(IGrainFactory grains, string tenant, string id)
    {
        // Ids are ours (s_…, cmpl-…); anything else cannot name a session.
        if (!SessionId().IsMatch(id))
            throw new ApiProblemException(StatusCodes.Status404NotFound, "Session not found", $"No session '{ApiText.Echo(id)}'.");
        return grains.GetGrain<ISessionGrain>(SessionKey.Of(tenant, id));
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SessionId();
}
