using SeedGrains.Tests.Shared;

namespace SeedGrains.Cluster.Tests;

/// <summary>One PostgreSQL server for the project; each test makes its own database and cluster id.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "cluster";
}
