using Npgsql;
using SeedGrains.Postgres.Migrations;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class MigrationTests(PostgresServerFixture postgres)
{
    [Fact]
    public void Embedded_scripts_are_found_and_versioned_from_one()
    {
        var migrations = EmbeddedMigrations.Migrations;
        Assert.Equal("0001_initial", migrations[0].Name);
        Assert.Equal(Enumerable.Range(1, migrations.Count), migrations.Select(m => m.Version));
        Assert.Contains("CREATE TABLE IF NOT EXISTS grain_state", migrations[0].Sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Applying_twice_is_a_no_op()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("migrate_twice"));
        var migrator = new PostgresMigrator(dataSource);

        Assert.Equal(0, await migrator.GetCurrentVersionAsync());
        var first = await migrator.MigrateAsync();
        var recorded = await ReadRecordsAsync(dataSource);

        var second = await migrator.MigrateAsync();

        Assert.Equal(EmbeddedMigrations.Migrations.Select(m => m.Name), first.Select(m => m.Name));
        Assert.Empty(second);
        Assert.Equal(recorded, await ReadRecordsAsync(dataSource));
        Assert.Equal(EmbeddedMigrations.LatestVersion, await migrator.GetCurrentVersionAsync());
        foreach (var table in new[] { "grain_state", "cluster_membership", "cluster_membership_version", "reminders" })
        {
            Assert.True(await ScalarAsync<bool>(dataSource, $"SELECT to_regclass('{table}') IS NOT NULL"), table);
        }
    }

    [Fact]
    public async Task Concurrent_appliers_apply_each_script_exactly_once()
    {
        var connectionString = await postgres.CreateDatabaseAsync("migrate_concurrent");
        // Separate data sources: separate pools, as with several silos starting at once.
        var dataSources = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            using var start = new Barrier(dataSources.Count);
            var results = await Task.WhenAll(dataSources.Select(ds => Task.Run(async () =>
            {
                start.SignalAndWait();
                return await new PostgresMigrator(ds).MigrateAsync();
            })));

            // Every script applied by exactly one migrator, none failed, and recorded once.
            var applied = results.SelectMany(r => r).Select(m => m.Version).OrderBy(v => v).ToList();
            Assert.Equal(EmbeddedMigrations.Migrations.Select(m => m.Version), applied);
            Assert.Equal(EmbeddedMigrations.Migrations.Count, await ScalarAsync<long>(dataSources[0], "SELECT count(*) FROM schema_migrations"));
        }
        finally
        {
            foreach (var ds in dataSources)
            {
                await ds.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Later_scripts_apply_on_top_and_an_edited_applied_script_is_refused()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("migrate_edit"));
        var v1 = PostgresMigration.FromFile("0001_first.sql", "CREATE TABLE IF NOT EXISTS t1 (id int);");
        var v2 = PostgresMigration.FromFile("0002_second.sql", "CREATE TABLE IF NOT EXISTS t2 (id int);");
        Assert.Single(await new PostgresMigrator(dataSource, [v1]).MigrateAsync());

        var second = await new PostgresMigrator(dataSource, [v1, v2]).MigrateAsync();
        Assert.Equal([2], second.Select(m => m.Version));

        var edited = PostgresMigration.FromFile("0001_first.sql", "CREATE TABLE IF NOT EXISTS t1 (id bigint);");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new PostgresMigrator(dataSource, [edited, v2]).MigrateAsync());
        Assert.Contains("0001_first", error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_script_is_rolled_back_and_not_recorded()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("migrate_fail"));
        var broken = PostgresMigration.FromFile("0001_broken.sql", "CREATE TABLE half (id int); SELECT no_such_function();");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new PostgresMigrator(dataSource, [broken]).MigrateAsync());

        Assert.Contains("0001_broken", error.Message, StringComparison.Ordinal);
        Assert.False(await ScalarAsync<bool>(dataSource, "SELECT to_regclass('half') IS NOT NULL"));
        Assert.Equal(0L, await ScalarAsync<long>(dataSource, "SELECT count(*) FROM schema_migrations"));
    }

    [Theory]
    [InlineData("initial.sql")]
    [InlineData("0000_zero.sql")]
    [InlineData("x1_bad.sql")]
    public void Badly_named_scripts_are_rejected(string fileName) =>
        Assert.Throws<FormatException>(() => PostgresMigration.FromFile(fileName, "SELECT 1"));

    [Fact]
    public void Gaps_in_versions_are_rejected() =>
        Assert.Throws<InvalidOperationException>(() => EmbeddedMigrations.Validate(
            [PostgresMigration.FromFile("0001_a.sql", "SELECT 1"), PostgresMigration.FromFile("0003_c.sql", "SELECT 1")]));

    private static async Task<List<string>> ReadRecordsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT version || ' ' || name || ' ' || checksum || ' ' || applied_at FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
