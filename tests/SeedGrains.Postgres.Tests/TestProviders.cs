using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization.Activators;
using Orleans.Serialization.Serializers;
using SeedGrains.Postgres.Clustering;
using SeedGrains.Postgres.Reminders;
using SeedGrains.Postgres.Storage;

namespace SeedGrains.Postgres.Tests;

/// <summary>Builds the providers directly (no silo) against a test database.</summary>
internal sealed class TestProviders(string connectionString, string clusterId = "test-cluster", string serviceId = "test-service") : IAsyncDisposable
{
    public PostgresDatabases Databases { get; } = new(NullLoggerFactory.Instance);

    public PostgresOptions Options { get; } = new() { ConnectionString = connectionString };

    public IOptions<ClusterOptions> Cluster { get; } = Microsoft.Extensions.Options.Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = serviceId });

    public PostgresGrainStorage Storage(string name = "Default") =>
        new(name, Options, Databases, Cluster, new NewActivatorProvider(), NullLogger<PostgresGrainStorage>.Instance);

    public PostgresMembershipTable Membership() => new(new FixedOptionsMonitor(Options), Databases, Cluster);

    public PostgresGatewayListProvider Gateways() =>
        new(new FixedOptionsMonitor(Options), Databases, Cluster, Microsoft.Extensions.Options.Options.Create(new GatewayOptions()));

    public PostgresReminderTable Reminders() => new(new FixedOptionsMonitor(Options), Databases, Cluster);

    public Jobs.PostgresJobStore Jobs() => new(Databases, new FixedOptionsMonitor(Options), Cluster);

    public ValueTask DisposeAsync() => Databases.DisposeAsync();

    private sealed class FixedOptionsMonitor(PostgresOptions value) : IOptionsMonitor<PostgresOptions>
    {
        public PostgresOptions CurrentValue => value;

        public PostgresOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<PostgresOptions, string?> listener) => null;
    }

    private sealed class NewActivatorProvider : IActivatorProvider
    {
        public IActivator<T> GetActivator<T>() => new NewActivator<T>();

        private sealed class NewActivator<T> : IActivator<T>
        {
            public T Create() => Activator.CreateInstance<T>();
        }
    }
}
