using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class GrainStorageTests(PostgresServerFixture postgres) : IAsyncLifetime
{
    private TestProviders _providers = null!;
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync("storage");
        _providers = new TestProviders(_connectionString);
    }

    public async Task DisposeAsync() => await _providers.DisposeAsync();

    private static GrainId Session(string key) => GrainId.Create("session", key);

    private static DocumentState SampleDocument(long version) => new(
        [1, 2, 3, 151_643], [false, true, false, true], [0.5f, 0.1f, 1f, 0.25f], version, DocumentStatus.Denoising,
        [new Watcher("sse-1", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero))],
        new() { ["tokens"] = 42 });

    [Fact]
    public async Task Write_then_read_round_trips_the_state_and_etag()
    {
        var storage = _providers.Storage();
        var written = new GrainState<DocumentState>(SampleDocument(7));
        await storage.WriteStateAsync("doc", Session("acme/s1"), written);

        Assert.NotNull(written.ETag);
        Assert.True(written.RecordExists);

        var read = new GrainState<DocumentState>();
        await storage.ReadStateAsync("doc", Session("acme/s1"), read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(written.State!.Tokens, read.State!.Tokens);
        Assert.Equal(written.State!.Masked, read.State!.Masked);
        Assert.Equal(written.State!.Confidence, read.State!.Confidence);
        Assert.Equal(7, read.State!.Version);
        Assert.Equal(DocumentStatus.Denoising, read.State!.Status);
        Assert.Equal(written.State!.Watchers, read.State!.Watchers);
        Assert.Equal(42, read.State!.Usage["tokens"]);
    }

    [Fact]
    public async Task Second_write_with_current_etag_succeeds_and_changes_the_etag()
    {
        var storage = _providers.Storage();
        var state = new GrainState<CounterState>(new CounterState { Count = 1 });
        await storage.WriteStateAsync("counter", Session("acme/s2"), state);
        var first = state.ETag;

        state.State!.Count = 2;
        await storage.WriteStateAsync("counter", Session("acme/s2"), state);

        Assert.NotEqual(first, state.ETag);
        var read = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", Session("acme/s2"), read);
        Assert.Equal(2, read.State!.Count);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task Stale_etag_raises_InconsistentStateException_and_keeps_the_newer_state()
    {
        var storage = _providers.Storage();
        var winner = new GrainState<CounterState>(new CounterState { Count = 1 });
        await storage.WriteStateAsync("counter", Session("acme/s3"), winner);
        var loser = new GrainState<CounterState>(new CounterState { Count = 100 }, winner.ETag);

        winner.State!.Count = 2;
        await storage.WriteStateAsync("counter", Session("acme/s3"), winner);
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", Session("acme/s3"), loser));

        Assert.Equal(winner.ETag, error.StoredEtag);
        var read = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", Session("acme/s3"), read);
        Assert.Equal(2, read.State!.Count);
    }

    [Fact]
    public async Task First_write_without_etag_conflicts_when_the_row_already_exists()
    {
        var storage = _providers.Storage();
        await storage.WriteStateAsync("counter", Session("acme/s4"), new GrainState<CounterState>(new CounterState { Count = 1 }));

        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("counter", Session("acme/s4"), new GrainState<CounterState>(new CounterState { Count = 9 })));
    }

    [Fact]
    public async Task Reading_missing_state_gives_a_fresh_instance_without_etag()
    {
        var read = new GrainState<CounterState>(new CounterState { Count = 5 }, "stale");
        await _providers.Storage().ReadStateAsync("counter", Session("acme/never-written"), read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(0, read.State!.Count);
    }

    [Fact]
    public async Task Clear_deletes_the_row_resets_the_state_and_allows_a_fresh_write()
    {
        var storage = _providers.Storage();
        var state = new GrainState<CounterState>(new CounterState { Count = 3 });
        await storage.WriteStateAsync("counter", Session("acme/s5"), state);

        await storage.ClearStateAsync("counter", Session("acme/s5"), state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State!.Count);
        var read = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", Session("acme/s5"), read);
        Assert.False(read.RecordExists);
        Assert.Equal(0L, await CountRowsAsync("grain_id = 'acme/s5'"));

        state.State!.Count = 4;
        await storage.WriteStateAsync("counter", Session("acme/s5"), state);
        await storage.ReadStateAsync("counter", Session("acme/s5"), read);
        Assert.Equal(4, read.State!.Count);
    }

    [Fact]
    public async Task Clear_with_stale_etag_raises_InconsistentStateException()
    {
        var storage = _providers.Storage();
        var state = new GrainState<CounterState>(new CounterState { Count = 1 });
        await storage.WriteStateAsync("counter", Session("acme/s6"), state);
        var stale = new GrainState<CounterState>(state.State, state.ETag);
        await storage.WriteStateAsync("counter", Session("acme/s6"), state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("counter", Session("acme/s6"), stale));
        Assert.Equal(1L, await CountRowsAsync("grain_id = 'acme/s6'"));
    }

    [Fact]
    public async Task Tenant_column_is_the_key_prefix_and_queryable()
    {
        var storage = _providers.Storage();
        await storage.WriteStateAsync("doc", Session("tenant-a/one"), new GrainState<CounterState>(new CounterState { Count = 1 }));
        await storage.WriteStateAsync("doc", Session("tenant-a/two"), new GrainState<CounterState>(new CounterState { Count = 2 }));
        await storage.WriteStateAsync("doc", Session("tenant-b/one"), new GrainState<CounterState>(new CounterState { Count = 3 }));
        await storage.WriteStateAsync("doc", GrainId.Create("tenant", "no-slash"), new GrainState<CounterState>(new CounterState { Count = 4 }));

        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT grain_type, grain_id, state_name, (state->>'Count')::int FROM grain_state WHERE tenant = 'tenant-a' ORDER BY grain_id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetString(0)} {reader.GetString(1)} {reader.GetString(2)} {reader.GetInt32(3)}");
        }

        Assert.Equal(["session tenant-a/one doc 1", "session tenant-a/two doc 2"], rows);
        Assert.Equal(1L, await CountRowsAsync("tenant = 'tenant-b'"));
        Assert.Equal(1L, await CountRowsAsync("tenant IS NULL AND grain_id = 'no-slash'"));
    }

    [Fact]
    public async Task State_is_readable_jsonb_with_enum_names()
    {
        await _providers.Storage().WriteStateAsync("doc", Session("acme/json"), new GrainState<DocumentState>(SampleDocument(3)));

        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT state->>'Status', jsonb_array_length(state->'Tokens'), updated_at > now() - interval '1 minute' FROM grain_state WHERE grain_id = 'acme/json'");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("Denoising", reader.GetString(0));
        Assert.Equal(4, reader.GetInt32(1));
        Assert.True(reader.GetBoolean(2));
    }

    [Fact]
    public async Task Providers_and_services_are_isolated_by_state_name_and_service_id()
    {
        var storage = _providers.Storage();
        await storage.WriteStateAsync("a", Session("acme/iso"), new GrainState<CounterState>(new CounterState { Count = 1 }));
        await using var otherService = new TestProviders(_connectionString, serviceId: "other-service");

        var sameServiceOtherName = new GrainState<CounterState>();
        await storage.ReadStateAsync("b", Session("acme/iso"), sameServiceOtherName);
        var otherServiceSameName = new GrainState<CounterState>();
        await otherService.Storage().ReadStateAsync("a", Session("acme/iso"), otherServiceSameName);

        Assert.False(sameServiceOtherName.RecordExists);
        Assert.False(otherServiceSameName.RecordExists);
    }

    [Fact]
    public async Task State_that_jsonb_cannot_hold_fails_with_a_clear_error()
    {
        var state = new GrainState<CounterState>(new CounterState { Note = "nul \0 inside" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _providers.Storage().WriteStateAsync("counter", Session("acme/nul"), state));

        Assert.Contains("acme/nul", error.Message, StringComparison.Ordinal);
        Assert.Null(state.ETag);
    }

    private async Task<long> CountRowsAsync(string where)
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM grain_state WHERE {where}");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
