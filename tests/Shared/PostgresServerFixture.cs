using Xunit;

namespace SeedGrains.Tests.Shared;

/// <summary>
/// xunit fixture owning one <see cref="PostgresServer"/> for a test collection. Each test class should create its own
/// database (<see cref="CreateDatabaseAsync"/>) so classes never see each other's rows. Missing server binaries fail
/// the tests with the message from <see cref="PostgresServer.StartAsync"/>; they are never skipped.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private PostgresServer? _server;
    private int _databases;

    /// <summary>The running server.</summary>
    public PostgresServer Server => _server ?? throw new InvalidOperationException("PostgreSQL fixture not initialised.");

    /// <summary>A fresh, empty database named after <paramref name="prefix"/>.</summary>
    public Task<string> CreateDatabaseAsync(string prefix) =>
        Server.CreateDatabaseAsync($"{prefix.ToLowerInvariant()}_{Interlocked.Increment(ref _databases)}");

    /// <inheritdoc />
    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
