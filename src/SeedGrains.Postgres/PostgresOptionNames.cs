namespace SeedGrains.Postgres;

/// <summary>Names under which each provider's <see cref="PostgresOptions"/> are registered (named options).</summary>
public static class PostgresOptionNames
{
    /// <summary>Membership table and gateway list.</summary>
    public const string Clustering = "SeedGrains.Postgres.Clustering";

    /// <summary>Reminder table.</summary>
    public const string Reminders = "SeedGrains.Postgres.Reminders";

    /// <summary>Removal of a deleted tenant's rows (<see cref="Tenants.PostgresTenantEraser"/>).</summary>
    public const string TenantEraser = "SeedGrains.Postgres.TenantEraser";

    /// <summary>Refactor jobs and their files (<see cref="Jobs.PostgresJobStore"/>).</summary>
    public const string Jobs = "SeedGrains.Postgres.Jobs";

    /// <summary>The grain storage provider called <paramref name="providerName"/>.</summary>
    public static string Storage(string providerName) => "SeedGrains.Postgres.Storage." + providerName;
}
