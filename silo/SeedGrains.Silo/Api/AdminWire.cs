using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Api;

/// <summary>Wire names of the admin API's enumerations.</summary>
internal static class AdminWire
{
    public const string Active = "active";
    public const string Suspended = "suspended";

    public static string Of(TenantStatus status) => status == TenantStatus.Suspended ? Suspended : Active;

    public static TenantStatus Status(string wire) => wire == Suspended ? TenantStatus.Suspended : TenantStatus.Active;
}
