using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Messaging;
using SeedGrains.Postgres.Clustering;

namespace SeedGrains.Postgres;

/// <summary>Client registrations for the PostgreSQL providers.</summary>
public static class PostgresClientBuilderExtensions
{
    /// <summary>Finds the cluster's gateways (Active silos) in the membership table the silos write.</summary>
    public static IClientBuilder UsePostgresClustering(this IClientBuilder builder, Action<PostgresOptions> configure)
    {
        PostgresSiloBuilderExtensions.AddShared(builder.Services);
        builder.Services.Configure(PostgresOptionNames.Clustering, configure);
        builder.Services.AddSingleton<IGatewayListProvider, PostgresGatewayListProvider>();
        return builder;
    }

    /// <summary>As above, with only a connection string.</summary>
    public static IClientBuilder UsePostgresClustering(this IClientBuilder builder, string connectionString) =>
        builder.UsePostgresClustering(options => options.ConnectionString = connectionString);
}
