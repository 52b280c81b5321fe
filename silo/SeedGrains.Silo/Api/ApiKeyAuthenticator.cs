using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Api;

/// <summary>`Authorization: Bearer &lt;key&gt;` → tenant id, through the key-hash index grain; anything else is 401.</summary>
internal sealed class ApiKeyAuthenticator(IGrainFactory grains)
{
    public async Task<string> Tenant(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
            throw new ApiProblemException(StatusCodes.Status401Unauthorized, "Unauthorized", "Send the API key as 'Authorization: Bearer <key>'.");
        var key = header[scheme.Length..].Trim();
        var tenant = await grains.GetGrain<IApiKeyGrain>(ApiKeyHash.Of(key)).GetTenant();
        return tenant ?? throw new ApiProblemException(StatusCodes.Status401Unauthorized, "Unauthorized", "The API key is not valid.");
    }
}
