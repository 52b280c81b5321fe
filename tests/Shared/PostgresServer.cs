using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace SeedGrains.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL cluster for tests, started from the installed server binaries (initdb, pg_ctl; on Debian
/// in /usr/lib/postgresql/N/bin, not on PATH). It lives in a temp directory, listens on a free 127.0.0.1 port with
/// trust authentication and its unix socket inside that directory, and is deleted on dispose. PostgreSQL refuses to
/// run as root, so as root the binaries run as user 'postgres' via runuser.
/// Link into a test project with &lt;Compile Include="../Shared/PostgresServer.cs" /&gt;; needs the Npgsql package.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string ServiceUser = "postgres";

    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private bool _running;

    private PostgresServer(string binDirectory, string rootDirectory, int port)
    {
        _binDirectory = binDirectory;
        RootDirectory = rootDirectory;
        _dataDirectory = Path.Combine(rootDirectory, "data");
        Port = port;
    }

    /// <summary>The temp directory holding data, log and socket.</summary>
    public string RootDirectory { get; }

    /// <summary>The loopback TCP port.</summary>
    public int Port { get; }

    /// <summary>initdb + start; throws with the server log when anything fails.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinDirectory();
        var root = Directory.CreateTempSubdirectory("sg-pg-").FullName;
        var server = new PostgresServer(bin, root, TestPorts.Next());
        try
        {
            if (IsRoot)
            {
                await RunAsync("chown", [$"{ServiceUser}:", root], asServiceUser: false);
            }

            await server.RunToolAsync("initdb", ["-D", server._dataDirectory, "-U", "postgres", "--auth-local=trust", "--auth-host=trust", "--no-sync", "-E", "UTF8", "--no-locale"]);
            await server.StartServerAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connection string for <paramref name="database"/> (pooling on, as in production).</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Timeout = 10 }.ConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Stops the server (fast shutdown: clients are disconnected) and starts it again on the same port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAgainAsync();
    }

    /// <summary>Fast shutdown: sessions are terminated, data kept. <see cref="StartAgainAsync"/> brings it back on the same port.</summary>
    public async Task StopAsync()
    {
        await RunToolAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "stop"]);
        _running = false;
    }

    /// <summary>Starts a stopped server again.</summary>
    public Task StartAgainAsync() => StartServerAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            try
            {
                await RunToolAsync("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Already gone; the directory is removed either way.
            }

            _running = false;
        }

        try
        {
            Directory.Delete(RootDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartServerAsync()
    {
        var options = $"-p {Port} -c listen_addresses=127.0.0.1 -k {RootDirectory} -c fsync=off -c full_page_writes=off -c max_connections=200";
        await RunToolAsync("pg_ctl", ["-D", _dataDirectory, "-l", Path.Combine(RootDirectory, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
        _running = true;
    }

    private async Task RunToolAsync(string tool, string[] arguments)
    {
        try
        {
            await RunAsync(Path.Combine(_binDirectory, tool), arguments, IsRoot);
        }
        catch (InvalidOperationException e)
        {
            var log = Path.Combine(RootDirectory, "server.log");
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "(no server log)";
            throw new InvalidOperationException($"{e.Message}\nserver.log:\n{tail}", e);
        }
    }

    private static async Task RunAsync(string program, string[] arguments, bool asServiceUser)
    {
        var start = new ProcessStartInfo(asServiceUser ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asServiceUser)
        {
            foreach (var a in new[] { "-u", ServiceUser, "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        // pg_ctl start leaves the server holding inherited pipes; read to end only of what the tool itself wrote.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{(asServiceUser ? "runuser -u postgres -- " : "")}{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: " +
                $"{await WithTimeout(stderr)}{await WithTimeout(stdout)}");
        }
    }

    private static async Task<string> WithTimeout(Task<string> read) =>
        await Task.WhenAny(read, Task.Delay(1000)) == read ? await read : "";

    private static bool IsRoot => OperatingSystem.IsLinux() && geteuid() == 0;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();

    private static string FindBinDirectory()
    {
        var overridden = Environment.GetEnvironmentVariable("SEEDGRAINS_PG_BIN");
        if (!string.IsNullOrEmpty(overridden) && File.Exists(Path.Combine(overridden, "initdb")))
        {
            return overridden;
        }

        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return installed ?? onPath ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin, on PATH, or in $SEEDGRAINS_PG_BIN. " +
            "Install the server package (Debian/Ubuntu: apt-get install postgresql) — .ci/run does this.");
    }
}
