using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Grains.Workers;
using SeedGrains.Silo.Hosting;
using SeedGrains.Tests.Fakes;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Cluster.Tests;

/// <summary>
/// Retention and purge on a real PostgreSQL: the rows of purged sessions leave <c>grain_state</c>, the others stay,
/// and the sweep's reminder is in the <c>reminders</c> table. The service's clock is moved by hand, so a "day" passes
/// at once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RetentionPostgresTests(PostgresServerFixture postgres)
{
    private const string DevKey = "retention-test-dev-key-0123456789";

    /// <summary>A clock that stands still until the test moves it (the service's own clock only; Orleans keeps real time).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    [Fact]
    public async Task Expired_and_purged_sessions_leave_no_rows_and_the_rest_stay()
    {
        var connectionString = await postgres.CreateDatabaseAsync("retention");
        var clock = new ManualClock();
        await using var app = await StartSilo(connectionString, clock);
        try
        {
            await Run(app, connectionString, clock);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static async Task Run(WebApplication app, string connectionString, ManualClock clock)
    {
        using var client = Client(app);

        var old = new List<string>();
        for (var i = 0; i < 3; i++) old.Add(await Create(client, $"old {i}"));
        var purgedByClient = await Create(client, "purged by the client");
        clock.Advance(TimeSpan.FromDays(2));
        var fresh = await Create(client, "fresh");
        Assert.Equal(5, await SessionRows(connectionString));
        Assert.Equal(1, await Scalar(connectionString,
            "SELECT count(*) FROM reminders WHERE grain_id LIKE '%dev/~sessions%' AND reminder_name = 'retention-sweep'"));

        using (var purge = await client.DeleteAsync($"/v1/sessions/{purgedByClient}?purge=true"))
            Assert.Equal(HttpStatusCode.NoContent, purge.StatusCode);
        Assert.Equal(4, await SessionRows(connectionString));

        var index = app.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionIndexGrain>(TenantGrainKeys.SessionIndex("dev"));
        Assert.Equal(3, await index.SweepExpired());

        Assert.Equal(1, await SessionRows(connectionString));
        Assert.Equal(1, await Scalar(connectionString, $"SELECT count(*) FROM grain_state WHERE grain_id = 'dev/{fresh}'"));
        foreach (var id in old)
        {
            using var get = await client.GetAsync($"/v1/sessions/{id}");
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }
        var listed = await client.GetFromJsonAsync<JsonElement>("/v1/sessions");
        Assert.Equal([fresh], listed.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
    }

    private static async Task<WebApplication> StartSilo(string connectionString, TimeProvider clock)
    {
        string[] args =
        [
            "--Urls=http://127.0.0.1:0",
            $"--Orleans:SiloPort={TestPorts.Next()}",
            $"--Orleans:GatewayPort={TestPorts.Next()}",
            "--Orleans:AdvertisedIP=127.0.0.1",
            $"--Orleans:ClusterId=retention-{Guid.NewGuid():N}",
            "--Orleans:ServiceId=retention-tests",
            "--Orleans:Tls:Mode=Disabled", // one silo on loopback: no cluster traffic to protect
            $"--Postgres:ConnectionString={connectionString}",
            $"--DEV_API_KEY={DevKey}",
            "--Sessions:RetentionDays=1",
            "--Logging:LogLevel:Default=Warning",
        ];
        var app = SeedGrainsHost.Build(args, services => services
            .AddSingleton(FakeModel.Factory(new FakeStepper()))
            .AddSingleton(new SeedGrainsClock(clock)));
        await app.StartAsync();
        return app;
    }

    private static HttpClient Client(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", DevKey);
        return client;
    }

    private static async Task<string> Create(HttpClient client, string text)
    {
        using var response = await client.PostAsJsonAsync("/v1/sessions", new { text });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>The dev tenant's session rows (the index's own row, <c>dev/~sessions</c>, is not one).</summary>
    private static Task<long> SessionRows(string connectionString) =>
        Scalar(connectionString, "SELECT count(*) FROM grain_state WHERE tenant = 'dev' AND grain_id LIKE 'dev/s\\_%'");

    private static async Task<long> Scalar(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
