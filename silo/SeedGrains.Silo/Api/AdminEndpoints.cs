using Microsoft.Extensions.Options;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Grains.Tenants;

namespace SeedGrains.Silo.Api;

/// <summary>
/// /admin/v1: tenants (create, list, show, update quotas and status, delete) and their API keys (create, list, revoke).
/// Every route needs an operator key (<see cref="OperatorAuthenticator"/>); a tenant key is 403.
/// </summary>
internal static class AdminEndpoints
{
    public const string Prefix = "/admin/v1";
    private const int DefaultPageSize = 50;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix + "/tenants").WithTags("Admin").ProducesProblem(401).ProducesProblem(403);
        group.MapPost("", Create).WithName("AdminCreateTenant").WithSummary("Create a tenant")
            .WithDescription("A new tenant with optional quotas (the configured defaults otherwise); 409 if the id exists.")
            .Accepts<CreateTenantBody>("application/json").Produces<TenantView>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(409).ProducesProblem(415);
        group.MapGet("", List).WithName("AdminListTenants").WithSummary("List tenants")
            .WithDescription("Every tenant, paged with an opaque cursor.").Produces<TenantList>().ProducesProblem(400);
        group.MapGet("/{id}", Show).WithName("AdminGetTenant").WithSummary("Show a tenant")
            .WithDescription("Quotas, status, creation time and a usage summary.").Produces<TenantView>().ProducesProblem(404);
        group.MapPatch("/{id}", Update).WithName("AdminUpdateTenant").WithSummary("Update a tenant")
            .WithDescription("New quotas (partial) and/or status `active` / `suspended`.")
            .Accepts<UpdateTenantBody>("application/json").Produces<TenantView>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(415);
        group.MapDelete("/{id}", Delete).WithName("AdminDeleteTenant").WithSummary("Delete a tenant")
            .WithDescription("Revokes its keys at once, cancels its sessions, then removes every row of its data.").Produces(StatusCodes.Status204NoContent).ProducesProblem(404);
        group.MapPost("/{id}/keys", CreateKey).WithName("AdminCreateApiKey").WithSummary("Create an API key")
            .WithDescription("A new key for the tenant (optional name and expiry); the secret is in this answer only.")
            .Accepts<CreateApiKeyBody>("application/json").Produces<ApiKeyCreated>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(404).ProducesProblem(415);
        group.MapGet("/{id}/keys", ListKeys).WithName("AdminListApiKeys").WithSummary("List API keys")
            .WithDescription("The tenant's keys: id, name, prefix, created, last used, expiry; never a secret.").Produces<ApiKeyList>().ProducesProblem(404);
        group.MapDelete("/{id}/keys/{keyId}", RevokeKey).WithName("AdminRevokeApiKey").WithSummary("Revoke an API key")
            .WithDescription("The key stops working on every silo at once.").Produces(StatusCodes.Status204NoContent).ProducesProblem(404);
        group.MapGet("/{id}/usage", Usage).WithName("AdminGetTenantUsage").WithSummary("A tenant's usage")
            .WithDescription("The tenant's hourly usage between `from` and `to`, with totals.").Produces<UsageReport>().ProducesProblem(400).ProducesProblem(404);
    }

    /// <summary>The tenant's metered usage, the same report the tenant reads at GET /v1/usage.</summary>
    private static async Task<IResult> Usage(HttpContext context, string id, string? from, string? to, OperatorAuthenticator auth, IGrainFactory grains, ApiClock clock)
    {
        await auth.Require(context);
        await AdminGrainCalls.Run(() => Tenant(grains, id).GetInfo()); // 404 for a tenant that does not exist
        return await UsageEndpoints.Report(grains, clock, id, from, to);
    }

    private static async Task<IResult> Create(HttpContext context, OperatorAuthenticator auth, IGrainFactory grains, IOptions<TenantDefaultQuotasOptions> defaults)
    {
        await auth.Require(context);
        var body = await ApiJson.ReadBody<CreateTenantBody>(context.Request);
        var quotas = body.Quotas?.ApplyTo(defaults.Value.ToQuotas()) ?? defaults.Value.ToQuotas();
        var info = await AdminGrainCalls.Run(() => grains.GetGrain<ITenantGrain>(body.Id).Create(quotas));
        return Results.Created($"{Prefix}/tenants/{info.Id}", TenantView.From(info));
    }

    private static async Task<IResult> List(HttpContext context, OperatorAuthenticator auth, IGrainFactory grains, int? limit, string? cursor)
    {
        await auth.Require(context);
        if (limit is < 1 or > 200)
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid request", "limit must be between 1 and 200.");
        var page = await AdminGrainCalls.Run(() => grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).List(limit ?? DefaultPageSize, cursor));
        var tenants = await Task.WhenAll(page.Ids.Select(id => grains.GetGrain<ITenantGrain>(id).GetInfo()));
        return Results.Ok(new TenantList(tenants.Select(TenantView.From).ToList(), page.NextCursor));
    }

    private static async Task<IResult> Show(HttpContext context, string id, OperatorAuthenticator auth, IGrainFactory grains)
    {
        await auth.Require(context);
        return Results.Ok(TenantView.From(await AdminGrainCalls.Run(() => Tenant(grains, id).GetInfo())));
    }

    private static async Task<IResult> Update(HttpContext context, string id, OperatorAuthenticator auth, IGrainFactory grains)
    {
        await auth.Require(context);
        var body = await ApiJson.ReadBody<UpdateTenantBody>(context.Request);
        var tenant = Tenant(grains, id);
        var info = await AdminGrainCalls.Run(tenant.GetInfo);
        if (body.Quotas is { } quotas)
        {
            await AdminGrainCalls.Run(() => tenant.SetQuotas(quotas.ApplyTo(info.Quotas)));
            info = await tenant.GetInfo();
        }
        if (body.Status is { } status)
            info = await AdminGrainCalls.Run(() => TenantSuspension.SetStatus(grains, id, AdminWire.Status(status)));
        return Results.Ok(TenantView.From(info));
    }

    private static async Task<IResult> Delete(HttpContext context, string id, OperatorAuthenticator auth, AdminTenantDeletion deletion)
    {
        await auth.Require(context);
        NotFoundUnlessValid(id);
        await deletion.Delete(id);
        return Results.NoContent();
    }

    private static async Task<IResult> CreateKey(HttpContext context, string id, OperatorAuthenticator auth, IGrainFactory grains)
    {
        await auth.Require(context);
        var body = await ApiJson.ReadBody<CreateApiKeyBody>(context.Request);
        // An expiry in the past is refused by the tenant grain, on the clock that also decides when the key expires.
        var issued = await AdminGrainCalls.Run(() => Tenant(grains, id).CreateApiKey(body.Name, body.ExpiresAt));
        var k = issued.Info;
        return Results.Created($"{Prefix}/tenants/{id}/keys/{k.Id}", new ApiKeyCreated(k.Id, issued.Secret, k.Name, k.Prefix, k.CreatedAt, k.ExpiresAt));
    }

    private static async Task<IResult> ListKeys(HttpContext context, string id, OperatorAuthenticator auth, IGrainFactory grains)
    {
        await auth.Require(context);
        var keys = await AdminGrainCalls.Run(() => Tenant(grains, id).ListApiKeys());
        return Results.Ok(new ApiKeyList(keys.Select(ApiKeyView.From).ToList()));
    }

    private static async Task<IResult> RevokeKey(HttpContext context, string id, string keyId, OperatorAuthenticator auth, IGrainFactory grains)
    {
        await auth.Require(context);
        await AdminGrainCalls.Run(() => Tenant(grains, id).RevokeApiKeyById(keyId));
        return Results.NoContent();
    }

    private static ITenantGrain Tenant(IGrainFactory grains, string id)
    {
        NotFoundUnlessValid(id);
        return grains.GetGrain<ITenantGrain>(id);
    }

    /// <summary>An id outside the rule names no tenant: answered without touching a grain.</summary>
    private static void NotFoundUnlessValid(string id)
    {
        if (!TenantIds.IsValid(id))
            throw new ApiProblemException(StatusCodes.Status404NotFound, "Not found", $"No tenant '{ApiText.Echo(id)}'.");
    }
}
