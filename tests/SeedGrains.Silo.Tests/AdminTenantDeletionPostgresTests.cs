using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// Deleting a tenant on a real PostgreSQL leaves none of its rows: every grain_state row and reminder that names it
/// (by key, or anywhere in the stored state) is counted before (more than none) and after (none), while another
/// tenant's rows stay.
/// </summary>
public sealed class AdminTenantDeletionPostgresTests : IAsyncLifetime
{
    private const string Gone = "gone-co";
    private const string Stays = "stays-co";
    private PostgresServer? _postgres;
    private string _connectionString = "";
    private SiloHost? _host;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _connectionString = await _postgres.CreateDatabaseAsync("tenant_deletion");
        _host = new SiloHost([
            $"--Postgres:ConnectionString={_connectionString}",
            "--Orleans:Tls:Mode=Disabled",
            $"--Admin:OperatorKeys={AdminSiloHost.OperatorKey}",
        ]);
        await _host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Deleting_a_tenant_removes_every_row_of_it_from_grain_state_and_reminders()
    {
        using var op = Client(AdminSiloHost.OperatorKey);
        var goneKey = await TenantWithSession(op, Gone);
        await TenantWithSession(op, Stays);
        await AddReminder(Gone);
        await AddReminder(Stays);

        var (stateBefore, remindersBefore) = await Rows(Gone, ApiKeyHash.Of(goneKey));
        Assert.True(stateBefore >= 3, $"expected the tenant, key and session rows, found {stateBefore}");
        // Ours, plus the retention sweep's reminder on the tenant's session index.
        Assert.True(remindersBefore >= 1, $"expected the tenant's reminders, found {remindersBefore}");
        var (_, remindersOtherBefore) = await Rows(Stays, keyHash: null);

        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"/admin/v1/tenants/{Gone}")).StatusCode);

        Assert.Equal((0, 0), await Rows(Gone, ApiKeyHash.Of(goneKey)));
        var (stateOther, remindersOther) = await Rows(Stays, keyHash: null);
        Assert.True(stateOther >= 3, $"the other tenant kept only {stateOther} rows");
        Assert.Equal(remindersOtherBefore, remindersOther);
        using var goneClient = Client(goneKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await goneClient.GetAsync("/v1/sessions/s_any")).StatusCode);
    }

    private async Task<string> TenantWithSession(HttpClient op, string tenant)
    {
        (await op.PostAsJsonAsync("/admin/v1/tenants", new { id = tenant })).EnsureSuccessStatusCode();
        var created = await (await op.PostAsJsonAsync($"/admin/v1/tenants/{tenant}/keys", new { })).Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("key").GetString()!;
        using var client = Client(key);
        (await client.PostAsJsonAsync("/v1/sessions", new { text = $"text of {tenant}" })).EnsureSuccessStatusCode();
        return key;
    }

    /// <summary>A reminder of one of the tenant's grains, as the retention sweep registers (written directly: that grain is not ours).</summary>
    private async Task AddReminder(string tenant)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO reminders (service_id, grain_id, reminder_name, grain_hash, start_at, period, etag) VALUES ('seedgrains', $1, 'retention', 1, now(), interval '1 hour', gen_random_uuid())",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = $"sessionindex/{TenantGrainKeys.SessionIndex(tenant)}" });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Rows that belong to <paramref name="tenant"/> by any reading: its id as a key or key prefix, its key's hash, or
    /// its id anywhere in a stored state (e.g. an API key row naming its owner).
    /// </summary>
    private async Task<(long State, long Reminders)> Rows(string tenant, string? keyHash)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var state = new NpgsqlCommand(
            "SELECT count(*) FROM grain_state WHERE grain_id = $1 OR grain_id LIKE $1 || '/%' OR grain_id = $2 OR state::text LIKE '%' || $1 || '%'",
            connection);
        state.Parameters.Add(new NpgsqlParameter { Value = tenant });
        state.Parameters.Add(new NpgsqlParameter { Value = (object?)keyHash ?? DBNull.Value });
        await using var reminders = new NpgsqlCommand("SELECT count(*) FROM reminders WHERE grain_id LIKE '%' || $1 || '%'", connection);
        reminders.Parameters.Add(new NpgsqlParameter { Value = tenant });
        return ((long)(await state.ExecuteScalarAsync())!, (long)(await reminders.ExecuteScalarAsync())!);
    }

    private HttpClient Client(string bearer)
    {
        var client = new HttpClient { BaseAddress = _host!.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }
}
