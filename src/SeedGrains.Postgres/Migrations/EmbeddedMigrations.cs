namespace SeedGrains.Postgres.Migrations;

/// <summary>The SQL scripts of deploy/postgres/, embedded in this assembly, in version order.</summary>
public static class EmbeddedMigrations
{
    private const string ResourcePrefix = "SeedGrains.Postgres.Migrations.";

    private static readonly Lazy<IReadOnlyList<PostgresMigration>> All = new(Load);

    /// <summary>All migrations, ordered by version, checked for duplicates and gaps.</summary>
    public static IReadOnlyList<PostgresMigration> Migrations => All.Value;

    /// <summary>The schema version this build expects.</summary>
    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>Orders and checks a set of migrations: versions must run 1, 2, 3, ... without gaps or duplicates.</summary>
    public static IReadOnlyList<PostgresMigration> Validate(IEnumerable<PostgresMigration> migrations)
    {
        var ordered = migrations.OrderBy(m => m.Version).ToList();
        if (ordered.Count == 0)
        {
            throw new InvalidOperationException("No migrations found.");
        }

        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].Version != i + 1)
            {
                throw new InvalidOperationException(
                    $"Migration versions must be contiguous from 1: expected {i + 1}, found '{ordered[i].Name}'.");
            }
        }

        return ordered;
    }

    private static IReadOnlyList<PostgresMigration> Load()
    {
        var assembly = typeof(EmbeddedMigrations).Assembly;
        var migrations = new List<PostgresMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded migration '{resource}' cannot be opened.");
            using var reader = new StreamReader(stream);
            migrations.Add(PostgresMigration.FromFile(resource[ResourcePrefix.Length..], reader.ReadToEnd()));
        }

        return Validate(migrations);
    }
}
