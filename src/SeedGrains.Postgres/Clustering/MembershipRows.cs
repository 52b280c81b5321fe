using System.Globalization;
using System.Net;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Orleans;
using Orleans.Runtime;

namespace SeedGrains.Postgres.Clustering;

/// <summary>Maps <see cref="MembershipEntry"/> to and from a cluster_membership row.</summary>
internal static class MembershipRows
{
    /// <summary>Columns in the order <see cref="Read"/> expects, after the table version in column 0.</summary>
    public const string Columns =
        "m.address, m.port, m.generation, m.silo_name, m.host_name, m.role_name, m.status, m.proxy_port, " +
        "m.update_zone, m.fault_zone, m.suspect_times::text, m.start_time, m.i_am_alive_time, m.etag";

    /// <summary>Reads the row whose first column is at <paramref name="offset"/>; returns the entry and its row ETag.</summary>
    public static Tuple<MembershipEntry, string> Read(NpgsqlDataReader reader, int offset)
    {
        var address = reader.GetString(offset);
        var entry = new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Parse(address), reader.GetInt32(offset + 1), reader.GetInt32(offset + 2)),
            SiloName = reader.GetString(offset + 3),
            HostName = reader.GetString(offset + 4),
            RoleName = reader.IsDBNull(offset + 5) ? null! : reader.GetString(offset + 5),
            Status = Enum.Parse<SiloStatus>(reader.GetString(offset + 6)),
            ProxyPort = reader.GetInt32(offset + 7),
            UpdateZone = reader.GetInt32(offset + 8),
            FaultZone = reader.GetInt32(offset + 9),
            SuspectTimes = ReadSuspectTimes(reader.GetString(offset + 10)),
            StartTime = reader.GetDateTime(offset + 11),
            IAmAliveTime = reader.GetDateTime(offset + 12),
        };
        return Tuple.Create(entry, reader.GetInt32(offset + 13).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Adds the key parameters (cluster, address, port, generation) as $1..$4.</summary>
    public static void AddKey(NpgsqlCommand command, string clusterId, SiloAddress silo)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = silo.Endpoint.Address.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = silo.Endpoint.Port });
        command.Parameters.Add(new NpgsqlParameter { Value = silo.Generation });
    }

    /// <summary>Adds the data parameters as $5..$14 in the column order of the INSERT/UPDATE statements.</summary>
    public static void AddData(NpgsqlCommand command, MembershipEntry entry)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = entry.SiloName ?? "" });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.HostName ?? "" });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)entry.RoleName ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.Status.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.ProxyPort });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.UpdateZone });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.FaultZone });
        command.Parameters.Add(new NpgsqlParameter { Value = WriteSuspectTimes(entry.SuspectTimes), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = Utc(entry.StartTime) });
        command.Parameters.Add(new NpgsqlParameter { Value = Utc(entry.IAmAliveTime) });
    }

    /// <summary>timestamptz parameters must be UTC; Orleans fills these from DateTime.UtcNow but defaults are Unspecified.</summary>
    public static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };

    /// <summary>Parses a table or row ETag we issued (an integer version).</summary>
    public static int ParseVersion(string? etag, string what) =>
        int.TryParse(etag, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new ArgumentException($"Membership {what} ETag '{etag}' was not issued by the PostgreSQL membership table.", nameof(etag));

    private static string WriteSuspectTimes(List<Tuple<SiloAddress, DateTime>>? suspectTimes)
    {
        var votes = (suspectTimes ?? []).Select(t => new SuspectVote(t.Item1.ToParsableString(), Utc(t.Item2)));
        return JsonSerializer.Serialize(votes);
    }

    private static List<Tuple<SiloAddress, DateTime>> ReadSuspectTimes(string json) =>
        (JsonSerializer.Deserialize<List<SuspectVote>>(json) ?? [])
            .Select(v => Tuple.Create(SiloAddress.FromParsableString(v.Silo), DateTime.SpecifyKind(v.At, DateTimeKind.Utc)))
            .ToList();

    /// <summary>One suspicion in the suspect_times jsonb column.</summary>
    private sealed record SuspectVote(
        [property: System.Text.Json.Serialization.JsonPropertyName("silo")] string Silo,
        [property: System.Text.Json.Serialization.JsonPropertyName("at")] DateTime At);
}
