using System.Text.Json.Serialization;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Api;

/// <summary>Quotas in a request: every field optional; what is left out keeps its current (or default) value.</summary>
public sealed class AdminQuotasBody
{
    public int? MaxConcurrentSessions { get; init; }
    public int? MaxTextChars { get; init; }
    public int? MaxStoredSessions { get; init; }
    public int? TokensPerMinute { get; init; }
    public int? RequestsPerMinute { get; init; }
    public int? Weight { get; init; }
    public int? MaxActiveJobs { get; init; }
    public int? MaxFilesPerJob { get; init; }

    internal TenantQuotas ApplyTo(TenantQuotas current) => new(
        MaxConcurrentSessions ?? current.MaxConcurrentSessions,
        MaxTextChars ?? current.MaxTextChars,
        MaxStoredSessions ?? current.MaxStoredSessions,
        TokensPerMinute ?? current.TokensPerMinute,
        RequestsPerMinute ?? current.RequestsPerMinute,
        Weight ?? current.Weight,
        MaxActiveJobs ?? current.MaxActiveJobs,
        MaxFilesPerJob ?? current.MaxFilesPerJob);

    internal void Validate(string field)
    {
        static void AtLeast(int? value, int min, string name)
        {
            if (value < min) throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid request", $"{name} must be at least {min}.");
        }

        AtLeast(MaxConcurrentSessions, 1, $"{field}.maxConcurrentSessions");
        AtLeast(MaxTextChars, 1, $"{field}.maxTextChars");
        AtLeast(MaxStoredSessions, 1, $"{field}.maxStoredSessions");
        AtLeast(TokensPerMinute, 0, $"{field}.tokensPerMinute");
        AtLeast(RequestsPerMinute, 0, $"{field}.requestsPerMinute");
        AtLeast(Weight, 1, $"{field}.weight");
        AtLeast(MaxActiveJobs, 1, $"{field}.maxActiveJobs");
        AtLeast(MaxFilesPerJob, 1, $"{field}.maxFilesPerJob");
    }
}

/// <summary>POST /admin/v1/tenants body.</summary>
public sealed class CreateTenantBody : IRequestBody
{
    [JsonRequired] public string Id { get; init; } = "";
    public AdminQuotasBody? Quotas { get; init; }

    void IRequestBody.Validate()
    {
        BodyRules.RequireString(Id, "id");
        if (!TenantIds.IsValid(Id))
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid request", $"id must be {TenantIds.Rule}.");
        Quotas?.Validate("quotas");
    }
}

/// <summary>PATCH /admin/v1/tenants/{id} body: new quotas (partial), a new status, or both.</summary>
public sealed class UpdateTenantBody : IRequestBody
{
    public AdminQuotasBody? Quotas { get; init; }
    public string? Status { get; init; }

    void IRequestBody.Validate()
    {
        Quotas?.Validate("quotas");
        if (Status is not (null or AdminWire.Active or AdminWire.Suspended))
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid request", "status must be 'active' or 'suspended'.");
    }
}

/// <summary>POST /admin/v1/tenants/{id}/keys body (may be <c>{}</c>).</summary>
public sealed class CreateApiKeyBody : IRequestBody
{
    public string? Name { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }

    void IRequestBody.Validate()
    {
        if (Name is { Length: > 100 })
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid request", "name must be at most 100 characters.");
    }
}

/// <summary>A tenant as the admin API shows it.</summary>
public sealed record TenantView(string Id, string Status, DateTimeOffset CreatedAt, TenantQuotas Quotas, TenantUsage Usage)
{
    internal static TenantView From(TenantInfo t) => new(t.Id, AdminWire.Of(t.Status), t.CreatedAt, t.Quotas, t.Usage);
}

/// <summary>One page of tenants; pass <see cref="NextCursor"/> as <c>cursor</c> for the next (null on the last page).</summary>
public sealed record TenantList(IReadOnlyList<TenantView> Data, string? NextCursor);

/// <summary>An API key as listed: never its secret.</summary>
public sealed record ApiKeyView(string Id, string? Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt)
{
    internal static ApiKeyView From(ApiKeyInfo k) => new(k.Id, k.Name, k.Prefix, k.CreatedAt, k.LastUsedAt, k.ExpiresAt);
}

/// <summary>201 answer of key creation: the only answer that ever carries the secret (<see cref="Key"/>).</summary>
public sealed record ApiKeyCreated(string Id, string Key, string? Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>The list of a tenant's keys.</summary>
public sealed record ApiKeyList(IReadOnlyList<ApiKeyView> Data);
