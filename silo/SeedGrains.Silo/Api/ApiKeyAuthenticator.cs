using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Api;

/// <summary>
/// `Authorization: Bearer &lt;key&gt;` → tenant id, through the key-hash index grain; anything else (unknown, revoked,
/// expired) is 401, and a suspended tenant's key is 403. A key the
/// index does not know is remembered for a while (<see cref="UnknownKeyCache"/>), so repeated wrong keys cost no grain
/// call; the index grain itself goes away right after answering "unknown", so wrong keys hold no memory.
/// </summary>
internal sealed class ApiKeyAuthenticator(IGrainFactory grains, UnknownKeyCache unknownKeys, RateLimitAdmission admission)
{
    /// <summary>Longer "keys" are refused without hashing: no real key is that long.</summary>
    private const int MaxKeyLength = 512;

    public async Task<string> Tenant(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
            throw new ApiProblemException(StatusCodes.Status401Unauthorized, "Unauthorized", "Send the API key as 'Authorization: Bearer <key>'.");
        var key = header[scheme.Length..].Trim();
        if (key.Length is 0 or > MaxKeyLength) throw NotValid();
        var hash = ApiKeyHash.Of(key);
        if (unknownKeys.IsKnownUnknown(hash)) throw NotValid();
        var lookup = await grains.GetGrain<IApiKeyGrain>(hash).Lookup();
        if (lookup is null)
        {
            unknownKeys.Remember(hash);
            throw NotValid();
        }
        if (lookup.Suspended)
            throw new ApiProblemException(StatusCodes.Status403Forbidden, ProblemTitles.For(StatusCodes.Status403Forbidden),
                $"Tenant '{lookup.Tenant}' is suspended.");
        await admission.Admit(context, lookup.Tenant);
        return lookup.Tenant;
    }

    private static ApiProblemException NotValid() =>
        new(StatusCodes.Status401Unauthorized, "Unauthorized", "The API key is not valid.");
}
