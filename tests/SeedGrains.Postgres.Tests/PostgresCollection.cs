using SeedGrains.Tests.Shared;

namespace SeedGrains.Postgres.Tests;

/// <summary>All classes share one PostgreSQL server and run one after another (the restart test stops the server).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
