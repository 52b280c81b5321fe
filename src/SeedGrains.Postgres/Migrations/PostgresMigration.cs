using System.Security.Cryptography;
using System.Text;

namespace SeedGrains.Postgres.Migrations;

/// <summary>One versioned SQL script from deploy/postgres/ (file name <c>NNNN_description.sql</c>).</summary>
public sealed record PostgresMigration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the script with line endings normalised, so a git checkout on Windows does not look edited.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(
        SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    /// <summary>Parses <c>0001_initial.sql</c> into version 1, name <c>0001_initial</c>.</summary>
    public static PostgresMigration FromFile(string fileName, string sql)
    {
        var name = Path.GetFileNameWithoutExtension(fileName);
        var underscore = name.IndexOf('_', StringComparison.Ordinal);
        var prefix = underscore > 0 ? name[..underscore] : "";
        if (!int.TryParse(prefix, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) || version <= 0)
        {
            throw new FormatException($"Migration file '{fileName}' must be named NNNN_description.sql with a positive version number.");
        }

        return new PostgresMigration(version, name, sql);
    }
}
