using System.Net;
using Orleans;
using Orleans.Runtime;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Postgres.Tests;

/// <summary>The operations and version/ETag rules Orleans' membership protocol relies on (the same checks as Orleans' MembershipTableTestsBase).</summary>
[Collection(PostgresCollection.Name)]
public sealed class MembershipTableTests(PostgresServerFixture postgres) : IAsyncLifetime
{
    private static int _generation;
    private TestProviders _providers = null!;
    private IMembershipTable _table = null!;

    public async Task InitializeAsync()
    {
        _providers = new TestProviders(await postgres.CreateDatabaseAsync("membership"), clusterId: "cluster-" + Guid.NewGuid().ToString("N"));
        _table = _providers.Membership();
        await _table.InitializeMembershipTableAsync(tryInitTableVersion: true);
    }

    public async Task DisposeAsync() => await _providers.DisposeAsync();

    [Fact]
    public async Task Empty_table_has_version_zero_and_an_etag()
    {
        var data = await _table.ReadAllAsync();

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.NotNull(data.Version.VersionEtag);
    }

    [Fact]
    public async Task Initialize_twice_keeps_the_version()
    {
        Assert.True(await _table.InsertRowAsync(NewEntry(), (await _table.ReadAllAsync()).Version.Next()));
        await _table.InitializeMembershipTableAsync(true);

        Assert.Equal(1, (await _table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task InsertRow_with_next_version_succeeds_and_bumps_the_version()
    {
        var data = await _table.ReadAllAsync();
        Assert.True(await _table.InsertRowAsync(NewEntry(), data.Version.Next()));

        data = await _table.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        Assert.Single(data.Members);
    }

    [Fact]
    public async Task InsertRow_rejects_stale_versions_and_duplicates()
    {
        var version = (await _table.ReadAllAsync()).Version.Next();
        var entry = NewEntry();
        Assert.True(await _table.InsertRowAsync(entry, version));

        Assert.False(await _table.InsertRowAsync(entry, version));        // same entry, old version
        Assert.False(await _table.InsertRowAsync(NewEntry(), version));   // new entry, old version

        var data = await _table.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        Assert.False(await _table.InsertRowAsync(entry, data.Version.Next())); // duplicate with the right version

        data = await _table.ReadAllAsync();
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version); // the failed insert did not bump the version

        var row = await _table.ReadRowAsync(entry.SiloAddress);
        Assert.Equal(version.Version, row.Version.Version);
        Assert.NotEqual(version.VersionEtag, row.Version.VersionEtag);
        var (read, etag) = row.Members.Single();
        Assert.NotNull(etag);
        Assert.Equal(entry.ToFullString(), read.ToFullString());
    }

    [Fact]
    public async Task ReadRow_of_unknown_silo_returns_the_version_and_no_rows()
    {
        Assert.True(await _table.InsertRowAsync(NewEntry(), (await _table.ReadAllAsync()).Version.Next()));

        var row = await _table.ReadRowAsync(NewEntry().SiloAddress);

        Assert.Empty(row.Members);
        Assert.Equal(1, row.Version.Version);
    }

    [Fact]
    public async Task UpdateRow_requires_both_current_row_etag_and_current_table_version()
    {
        var tableData = await _table.ReadAllAsync();
        for (var i = 1; i < 6; i++)
        {
            var entry = NewEntry();
            entry.SuspectTimes =
            [
                Tuple.Create(NewEntry().SiloAddress, SecondsNow().AddSeconds(1)),
                Tuple.Create(NewEntry().SiloAddress, SecondsNow().AddSeconds(2)),
            ];
            var insertVersion = tableData.Version.Next();
            Assert.True(await _table.InsertRowAsync(entry, insertVersion));
            tableData = await _table.ReadAllAsync();
            var etagBefore = tableData.TryGet(entry.SiloAddress)!.Item2;

            Assert.False(await _table.UpdateRowAsync(entry, etagBefore, insertVersion), "old table version must fail");

            var updateVersion = tableData.Version.Next();
            entry.Status = SiloStatus.Active;
            Assert.True(await _table.UpdateRowAsync(entry, etagBefore, updateVersion));
            Assert.False(await _table.UpdateRowAsync(entry, etagBefore, updateVersion), "old row etag and old version must fail");

            tableData = await _table.ReadAllAsync();
            var (stored, etagAfter) = tableData.TryGet(entry.SiloAddress)!;
            Assert.Equal(entry.ToFullString(), stored.ToFullString());
            Assert.Equal(SiloStatus.Active, stored.Status);
            Assert.Equal(2, stored.SuspectTimes!.Count);
            Assert.NotEqual(etagBefore, etagAfter);

            Assert.False(await _table.UpdateRowAsync(entry, etagAfter, updateVersion), "current row etag with old version must fail");
            Assert.Equal(updateVersion.Version, (await _table.ReadAllAsync()).Version.Version);
            Assert.Equal(i, tableData.Members.Count);
        }
    }

    [Fact]
    public async Task Parallel_inserts_and_updates_serialise_on_the_table_version()
    {
        var entry = NewEntry();
        var version = (await _table.ReadAllAsync()).Version.Next();
        var inserts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _table.InsertRowAsync(entry, version))));
        Assert.Single(inserts, ok => ok);

        await Task.WhenAll(Enumerable.Range(0, 19).Select(_ => Task.Run(async () =>
        {
            bool done;
            do
            {
                var data = await _table.ReadAllAsync();
                var (row, etag) = data.TryGet(entry.SiloAddress)!;
                done = await _table.UpdateRowAsync(row, etag, data.Version.Next());
            }
            while (!done);
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        var final = await _table.ReadAllAsync();
        Assert.Equal(20, final.Version.Version);
        Assert.Single(final.Members);
        Assert.Equal("19", final.Members[0].Item2);
    }

    [Fact]
    public async Task UpdateIAmAlive_changes_only_the_heartbeat()
    {
        var entry = NewEntry();
        Assert.True(await _table.InsertRowAsync(entry, (await _table.ReadAllAsync()).Version.Next()));
        var before = (await _table.ReadAllAsync()).Members.Single();

        // A fixed instant at PostgreSQL's precision (microseconds): the heartbeat must come back exactly, not roughly.
        var aliveAt = new DateTime(2031, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(1_234_560);
        await _table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = aliveAt });

        var after = await _table.ReadAllAsync();
        var (row, etag) = after.Members.Single();
        Assert.Equal(aliveAt, row.IAmAliveTime);
        Assert.Equal(before.Item2, etag);
        Assert.Equal(1, after.Version.Version);
        Assert.Equal(entry.Status, row.Status);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_removes_only_old_dead_silos()
    {
        var old = NewEntry();
        old.IAmAliveTime = old.IAmAliveTime.AddDays(-10);
        old.StartTime = old.StartTime.AddDays(-10);
        old.Status = SiloStatus.Dead;
        var oldButAlive = NewEntry();
        oldButAlive.IAmAliveTime = oldButAlive.IAmAliveTime.AddDays(-10);
        oldButAlive.Status = SiloStatus.Active;
        foreach (var e in new[] { old, oldButAlive, NewEntry() })
        {
            Assert.True(await _table.InsertRowAsync(e, (await _table.ReadAllAsync()).Version.Next()));
        }

        await _table.CleanupDefunctSiloEntriesAsync(old.IAmAliveTime.AddDays(3));

        var data = await _table.ReadAllAsync();
        Assert.Equal(2, data.Members.Count);
        Assert.Null(data.TryGet(old.SiloAddress));
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_removes_the_cluster()
    {
        Assert.True(await _table.InsertRowAsync(NewEntry(), (await _table.ReadAllAsync()).Version.Next()));
        await using var other = new TestProviders(_providers.Options.ConnectionString, clusterId: "other-" + Guid.NewGuid().ToString("N"));
        var otherTable = other.Membership();
        await otherTable.InitializeMembershipTableAsync(true);
        Assert.True(await otherTable.InsertRowAsync(NewEntry(), (await otherTable.ReadAllAsync()).Version.Next()));

        await _table.DeleteMembershipTableEntriesAsync(_providers.Cluster.Value.ClusterId);

        Assert.Empty((await _table.ReadAllAsync()).Members);
        Assert.Single((await otherTable.ReadAllAsync()).Members);
    }

    [Fact]
    public async Task Gateways_are_active_silos_with_a_proxy_port()
    {
        var entries = Enumerable.Range(0, 6).Select(_ => NewEntry()).ToArray();
        entries[1].Status = SiloStatus.Active;
        entries[1].ProxyPort = 0;
        entries[3].Status = SiloStatus.Active;
        entries[5].Status = SiloStatus.Active;
        foreach (var e in entries)
        {
            // The ETag alone is the concurrency token: the version read, not Next(), is accepted too.
            Assert.True(await _table.InsertRowAsync(e, (await _table.ReadAllAsync()).Version));
        }

        var gateways = _providers.Gateways();
        await gateways.InitializeGatewayListProviderAsync();
        var uris = (await gateways.GetGatewaysAsync()).Select(u => u.ToString()).ToList();

        Assert.Equal(2, uris.Count);
        Assert.Contains(GatewayUri(entries[3]), uris);
        Assert.Contains(GatewayUri(entries[5]), uris);
        Assert.Contains(":30000/", uris[0], StringComparison.Ordinal); // the proxy port, not the silo port
    }

    [Fact]
    public async Task Foreign_etags_are_rejected_with_a_clear_error()
    {
        var entry = NewEntry();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _table.InsertRowAsync(entry, new TableVersion(1, "not-a-number")));
        Assert.Contains("not-a-number", error.Message, StringComparison.Ordinal);
    }

    private static string GatewayUri(MembershipEntry entry) =>
        SiloAddress.New(entry.SiloAddress.Endpoint.Address, entry.ProxyPort, entry.SiloAddress.Generation).ToGatewayUri().ToString();

    private static MembershipEntry NewEntry()
    {
        var silo = SiloAddress.New(IPAddress.Loopback, 12345, Interlocked.Increment(ref _generation));
        return new MembershipEntry
        {
            SiloAddress = silo,
            HostName = "test-host",
            SiloName = "TestSilo",
            RoleName = "test-role",
            Status = SiloStatus.Joining,
            ProxyPort = 30000,
            UpdateZone = 1,
            FaultZone = 2,
            StartTime = SecondsNow(),
            IAmAliveTime = SecondsNow(),
            SuspectTimes = [],
        };
    }

    private static DateTime SecondsNow()
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, DateTimeKind.Utc);
    }
}
