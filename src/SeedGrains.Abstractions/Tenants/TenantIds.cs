using System.Text.RegularExpressions;

namespace SeedGrains.Abstractions.Tenants;

/// <summary>The tenant id rule: lowercase letters, digits and '-', 3–40 characters (it is a grain key and a storage column value).</summary>
public static partial class TenantIds
{
    public const string Rule = "lowercase letters, digits and '-', 3 to 40 characters";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    [GeneratedRegex("^[a-z0-9-]{3,40}$")]
    private static partial Regex Pattern();
}
