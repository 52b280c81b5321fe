using System.Net;
using Orleans.Configuration;
using SeedGrains.Grains;
using SeedGrains.Postgres;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// With <c>Postgres:ConnectionString</c> set, the silo keeps everything that must outlive it in PostgreSQL: cluster
/// membership, grain storage (the providers named in <see cref="StorageNames"/> plus the default one) and reminders;
/// the schema is migrated at start-up unless <c>Postgres:MigrateOnStartup=false</c>. Several silos on one database form
/// one cluster (same <c>Orleans:ClusterId</c>/<c>ServiceId</c>), so each needs its own <c>Orleans:SiloPort</c>,
/// <c>Orleans:GatewayPort</c> (if it opens one) and <c>Urls</c>.
/// </summary>
internal static class PostgresWiring
{
    /// <summary>Membership (failure detection) options, e.g. <c>Silo:Membership:ProbeTimeout=00:00:02</c>.</summary>
    public const string MembershipSection = "Silo:Membership";

    /// <summary>Reminder service options, e.g. <c>Silo:Reminders:MinimumReminderPeriod=00:00:10</c>.</summary>
    public const string RemindersSection = "Silo:Reminders";

    /// <summary>Silo messaging options, e.g. <c>Silo:Messaging:ResponseTimeout=00:00:10</c>.</summary>
    public const string MessagingSection = "Silo:Messaging";

    public static void Configure(ISiloBuilder silo, IConfiguration configuration, string connectionString)
    {
        var migrate = Bool(configuration, "Postgres:MigrateOnStartup", fallback: true);
        void Options(PostgresOptions o)
        {
            o.ConnectionString = connectionString;
            o.MigrateOnStartup = migrate;
        }

        silo.UseSeedGrainsPostgres(Options); // clustering, reminders, default grain storage, start-up migration
        silo.AddPostgresGrainStorage(StorageNames.Sessions, Options);
        silo.AddPostgresGrainStorage(StorageNames.Tenants, Options);
        silo.AddPostgresTenantEraser(Options); // tenant deletion removes the tenant's rows
        silo.AddPostgresJobStore(Options); // refactor jobs and their files

        // Other silos and clients reach this one at the address it writes into the membership table.
        var siloPort = SeedGrainsHost.Port(configuration, "Orleans:SiloPort");
        var gatewayPort = SeedGrainsHost.GatewayPort(configuration) ?? 0; // 0: no gateway
        var advertised = configuration["Orleans:AdvertisedIP"];
        if (string.IsNullOrWhiteSpace(advertised))
        {
            silo.ConfigureEndpoints(siloPort, gatewayPort, listenOnAnyHostAddress: Bool(configuration, "Orleans:ListenOnAnyHostAddress", fallback: false));
        }
        else
        {
            if (!IPAddress.TryParse(advertised, out var address))
                throw new HostConfigurationException($"Orleans:AdvertisedIP = '{advertised}' is not an IP address.");
            silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: Bool(configuration, "Orleans:ListenOnAnyHostAddress", fallback: false));
        }

        // Failure detection and reminder periods are deployment choices (tests and trials shorten them). Not under
        // "Orleans:": Orleans reads Orleans:Reminders, Orleans:Clustering, ... itself, as provider configuration.
        silo.Services.Configure<ClusterMembershipOptions>(configuration.GetSection(MembershipSection));
        silo.Services.Configure<ReminderOptions>(configuration.GetSection(RemindersSection));
        silo.Services.Configure<SiloMessagingOptions>(configuration.GetSection(MessagingSection));
    }

    private static bool Bool(IConfiguration configuration, string key, bool fallback)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return bool.TryParse(text, out var value)
            ? value
            : throw new HostConfigurationException($"{key} = '{text}' must be true or false.");
    }
}
