namespace SeedGrains.Grains;

/// <summary>Grain storage provider names the host must register (memory on embedded defaults, PostgreSQL in production).</summary>
public static class StorageNames
{
    public const string Sessions = "sessions";
    public const string Tenants = "tenants";
}
