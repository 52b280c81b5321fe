using System.Net.Sockets;
using Npgsql;

namespace SeedGrains.Postgres;

/// <summary>
/// Recognises failures of the connection itself (server restarted, connection terminated, network reset) as opposed
/// to failures of a statement. After a PostgreSQL restart every idle pooled connection is dead, and Npgsql only finds
/// out when it next uses one.
/// </summary>
internal static class ConnectionFailures
{
    public static bool IsConnectionFailure(Exception exception) => exception switch
    {
        // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, class 08 connection_exception.
        PostgresException pg => pg.SqlState is "57P01" or "57P02" or "57P03" || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.InnerException is IOException or SocketException || npgsql.IsTransient && npgsql.InnerException is not TimeoutException,
        IOException or SocketException => true,
        _ => false,
    };
}
