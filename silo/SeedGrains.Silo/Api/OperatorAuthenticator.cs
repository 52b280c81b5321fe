using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Guards <c>/admin/v1</c>: <c>Authorization: Bearer &lt;operator key&gt;</c>. No credential is 401; a tenant's API key
/// is 403 (valid, but not for this); anything else is 401. Without any operator key configured every call is refused,
/// with a detail saying how to configure one.
/// </summary>
internal sealed class OperatorAuthenticator(OperatorKeys operatorKeys, IGrainFactory grains)
{
    private const string NoKeysConfigured =
        "No operator key is configured; set Admin:OperatorKeys (or SEEDGRAINS_OPERATOR_KEY) and restart the silo.";

    public async Task Require(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
            throw new ApiProblemException(StatusCodes.Status401Unauthorized, "Unauthorized",
                operatorKeys.Configured ? "Send the operator key as 'Authorization: Bearer <key>'." : NoKeysConfigured);
        var key = header[scheme.Length..].Trim();
        if (operatorKeys.Matches(key)) return;
        if (key.Length is > 0 and <= 512 && await grains.GetGrain<IApiKeyGrain>(ApiKeyHash.Of(key)).GetTenant() is not null)
            throw new ApiProblemException(StatusCodes.Status403Forbidden, ProblemTitles.For(StatusCodes.Status403Forbidden),
                operatorKeys.Configured ? "A tenant API key cannot use the admin API; it needs an operator key." : NoKeysConfigured);
        throw new ApiProblemException(StatusCodes.Status401Unauthorized, "Unauthorized",
            operatorKeys.Configured ? "The operator key is not valid." : NoKeysConfigured);
    }
}
