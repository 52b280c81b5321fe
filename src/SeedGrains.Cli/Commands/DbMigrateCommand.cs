using System.CommandLine;
using System.Text.Json;
using Npgsql;
using SeedGrains.Postgres.Migrations;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains db migrate --connection CS`: applies the embedded PostgreSQL schema migrations, the same ones a silo
/// applies at start-up. Idempotent and safe to run while silos are starting (they share an advisory lock).
/// </summary>
internal static class DbMigrateCommand
{
    public static Command Create()
    {
        var connection = new Option<string>("--connection")
        {
            Description = "Npgsql connection string, e.g. \"Host=db;Database=seedgrains;Username=seedgrains;Password=...\"",
            Required = true,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: {\"applied\": [...], \"version\": N}." };
        var migrate = new Command("migrate", "Apply the SeedGrains schema migrations (deploy/postgres/*.sql) to a PostgreSQL database.")
        {
            connection,
            json,
        };
        migrate.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                await using var dataSource = NpgsqlDataSource.Create(parseResult.GetValue(connection)!);
                var migrator = new PostgresMigrator(dataSource);
                var applied = await migrator.MigrateAsync(cancellationToken);
                var version = await migrator.GetCurrentVersionAsync(cancellationToken);
                if (parseResult.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new { applied = applied.Select(m => m.Name), version }));
                }
                else
                {
                    foreach (var migration in applied)
                    {
                        Console.WriteLine($"applied {migration.Name}");
                    }

                    Console.WriteLine(applied.Count == 0 ? $"schema up to date at version {version}" : $"schema now at version {version}");
                }

                return 0;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"error: db migrate failed: {e.Message}");
                return 1;
            }
        });

        return new Command("db", "Database operations.") { migrate };
    }
}
