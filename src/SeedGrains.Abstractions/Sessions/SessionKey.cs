namespace SeedGrains.Abstractions.Sessions;

/// <summary>Session grain keys are `tenant/session`; tenants may not contain '/'.</summary>
public static class SessionKey
{
    public static string Of(string tenant, string session)
    {
        if (string.IsNullOrEmpty(tenant) || tenant.Contains('/', StringComparison.Ordinal))
            throw new ArgumentException($"Tenant id '{tenant}' must be non-empty and contain no '/'.", nameof(tenant));
        if (string.IsNullOrEmpty(session))
            throw new ArgumentException("Session id must be non-empty.", nameof(session));
        return $"{tenant}/{session}";
    }

    /// <summary>Splits a key at its first '/'.</summary>
    public static (string Tenant, string Session) Parse(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1)
            throw new ArgumentException($"Session key '{key}' is not of the form 'tenant/session'.", nameof(key));
        return (key[..slash], key[(slash + 1)..]);
    }
}
