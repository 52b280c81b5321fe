namespace SeedGrains.Silo.Hosting;

/// <summary>
/// THE SEAM for PostgreSQL: with <c>Postgres:ConnectionString</c> set, the silo must use the SeedGrains.Postgres
/// providers for clustering, grain storage (names in <see cref="SeedGrains.Grains.StorageNames"/>) and reminders.
/// Not wired yet: the host refuses to start rather than silently falling back to memory.
/// </summary>
internal static class PostgresWiring
{
    public static void Configure(ISiloBuilder silo, string connectionString)
    {
        _ = silo;
        _ = connectionString;
        throw new HostConfigurationException(
            "Postgres:ConnectionString is set, but the PostgreSQL providers are not wired into the silo yet " +
            "(see silo/SeedGrains.Silo/Hosting/PostgresWiring.cs). Unset it to run on embedded defaults.");
    }
}
