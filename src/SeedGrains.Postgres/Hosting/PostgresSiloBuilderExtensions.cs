using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using SeedGrains.Abstractions.Jobs;
using SeedGrains.Postgres.Clustering;
using SeedGrains.Postgres.Jobs;
using SeedGrains.Postgres.Hosting;
using SeedGrains.Postgres.Reminders;
using SeedGrains.Postgres.Storage;
using SeedGrains.Postgres.Tenants;

namespace SeedGrains.Postgres;

/// <summary>Silo registrations for the PostgreSQL providers.</summary>
public static class PostgresSiloBuilderExtensions
{
    /// <summary>
    /// Grain storage, clustering and reminders on one database, with the schema migrated at silo start-up.
    /// </summary>
    public static ISiloBuilder UseSeedGrainsPostgres(this ISiloBuilder builder, string connectionString) =>
        builder.UseSeedGrainsPostgres(options => options.ConnectionString = connectionString);

    /// <summary>As <see cref="UseSeedGrainsPostgres(ISiloBuilder, string)"/>, reading <c>Postgres:ConnectionString</c> from the silo configuration.</summary>
    public static ISiloBuilder UseSeedGrainsPostgres(this ISiloBuilder builder)
    {
        var connectionString = builder.Configuration[$"{PostgresOptions.SectionName}:ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"Configuration key '{PostgresOptions.SectionName}:ConnectionString' is not set.");
        }

        var migrateKey = $"{PostgresOptions.SectionName}:MigrateOnStartup";
        var migrateText = builder.Configuration[migrateKey];
        var migrate = true;
        if (migrateText is not null && !bool.TryParse(migrateText, out migrate))
        {
            throw new InvalidOperationException($"Configuration key '{migrateKey}' must be true or false, not '{migrateText}'.");
        }

        return builder.UseSeedGrainsPostgres(options =>
        {
            options.ConnectionString = connectionString;
            options.MigrateOnStartup = migrate;
        });
    }

    /// <summary>As <see cref="UseSeedGrainsPostgres(ISiloBuilder, string)"/>, with all options.</summary>
    public static ISiloBuilder UseSeedGrainsPostgres(this ISiloBuilder builder, Action<PostgresOptions> configure)
    {
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => new PostgresSchemaStartup(
            PostgresOptionNames.Clustering,
            services.GetRequiredService<IOptionsMonitor<PostgresOptions>>(),
            services.GetRequiredService<PostgresDatabases>()));
        return builder
            .UsePostgresClustering(configure)
            .UsePostgresReminderService(configure)
            .AddPostgresGrainStorageAsDefault(configure);
    }

    /// <summary>Registers grain storage provider <paramref name="name"/> backed by table grain_state.</summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, Action<PostgresOptions> configure)
    {
        AddShared(builder.Services);
        builder.Services.Configure(PostgresOptionNames.Storage(name), configure);
        builder.Services.AddGrainStorage(name, PostgresGrainStorage.Create);
        return builder;
    }

    /// <summary>Registers the default grain storage provider (used by <c>[PersistentState]</c> without a storage name).</summary>
    public static ISiloBuilder AddPostgresGrainStorageAsDefault(this ISiloBuilder builder, Action<PostgresOptions> configure) =>
        builder.AddPostgresGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Uses tables cluster_membership / cluster_membership_version for cluster membership.</summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder builder, Action<PostgresOptions> configure)
    {
        AddShared(builder.Services);
        builder.Services.Configure(PostgresOptionNames.Clustering, configure);
        builder.Services.AddSingleton<IMembershipTable, PostgresMembershipTable>();
        return builder;
    }

    /// <summary>Enables reminders, stored in table reminders.</summary>
    public static ISiloBuilder UsePostgresReminderService(this ISiloBuilder builder, Action<PostgresOptions> configure)
    {
        AddShared(builder.Services);
        builder.Services.Configure(PostgresOptionNames.Reminders, configure);
        builder.AddReminders();
        builder.Services.AddSingleton<IReminderTable, PostgresReminderTable>();
        return builder;
    }

    /// <summary>Lets the host remove every row of a deleted tenant (<see cref="PostgresTenantEraser"/>, a DI singleton).</summary>
    public static ISiloBuilder AddPostgresTenantEraser(this ISiloBuilder builder, Action<PostgresOptions> configure)
    {
        AddShared(builder.Services);
        builder.Services.Configure(PostgresOptionNames.TenantEraser, configure);
        builder.Services.TryAddSingleton<PostgresTenantEraser>();
        return builder;
    }

    /// <summary>Keeps refactor jobs and their files in tables jobs and job_files (<see cref="PostgresJobStore"/>).</summary>
    public static ISiloBuilder AddPostgresJobStore(this ISiloBuilder builder, Action<PostgresOptions> configure)
    {
        AddShared(builder.Services);
        builder.Services.Configure(PostgresOptionNames.Jobs, configure);
        builder.Services.AddSingleton<PostgresJobStore>();
        builder.Services.AddSingleton<IJobStore>(sp => sp.GetRequiredService<PostgresJobStore>());
        return builder;
    }

    internal static void AddShared(IServiceCollection services) => services.TryAddSingleton<PostgresDatabases>();
}
