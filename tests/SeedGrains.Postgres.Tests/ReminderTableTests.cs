using Orleans;
using Orleans.Runtime;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class ReminderTableTests(PostgresServerFixture postgres) : IAsyncLifetime
{
    private TestProviders _providers = null!;
    private IReminderTable _table = null!;

    public async Task InitializeAsync()
    {
        _providers = new TestProviders(await postgres.CreateDatabaseAsync("reminders"));
        _table = _providers.Reminders();
        await _table.StartAsync();
    }

    public async Task DisposeAsync() => await _providers.DisposeAsync();

    private static ReminderEntry Entry(GrainId grain, string name, int periodMinutes = 1) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc),
        Period = TimeSpan.FromMinutes(periodMinutes),
    };

    [Fact]
    public async Task Upsert_read_and_remove_one_reminder()
    {
        var grain = GrainId.Create("job", "acme/refactor-1");
        var etag = await _table.UpsertRow(Entry(grain, "tick"));

        var read = await _table.ReadRow(grain, "tick");
        Assert.NotNull(read);
        Assert.Equal(grain, read.GrainId);
        Assert.Equal("tick", read.ReminderName);
        Assert.Equal(new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc), read.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(1), read.Period);
        Assert.Equal(etag, read.ETag);

        Assert.False(await _table.RemoveRow(grain, "tick", Guid.NewGuid().ToString()), "wrong etag must not remove");
        Assert.True(await _table.RemoveRow(grain, "tick", etag!));
        Assert.Null(await _table.ReadRow(grain, "tick"));
        Assert.False(await _table.RemoveRow(grain, "tick", etag!));
    }

    [Fact]
    public async Task Upsert_replaces_the_row_and_issues_a_new_etag()
    {
        var grain = GrainId.Create("job", "acme/refactor-2");
        var first = await _table.UpsertRow(Entry(grain, "tick", periodMinutes: 1));
        var second = await _table.UpsertRow(Entry(grain, "tick", periodMinutes: 5));

        Assert.NotEqual(first, second);
        var read = await _table.ReadRow(grain, "tick");
        Assert.Equal(TimeSpan.FromMinutes(5), read!.Period);
        Assert.False(await _table.RemoveRow(grain, "tick", first!), "the old etag is stale");
    }

    [Fact]
    public async Task ReadRows_by_grain_returns_all_its_reminders_only()
    {
        var grain = GrainId.Create("job", "acme/refactor-3");
        var other = GrainId.Create("job", "acme/refactor-4");
        await _table.UpsertRow(Entry(grain, "a"));
        await _table.UpsertRow(Entry(grain, "b"));
        await _table.UpsertRow(Entry(other, "a"));

        var rows = await _table.ReadRows(grain);

        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName).Order());
        Assert.All(rows.Reminders, r => Assert.Equal(grain, r.GrainId));
    }

    [Fact]
    public async Task Range_reads_follow_the_ring_including_wrap_around()
    {
        var grains = Enumerable.Range(0, 40).Select(i => GrainId.Create("job", $"t{i}/job")).ToList();
        foreach (var g in grains)
        {
            await _table.UpsertRow(Entry(g, "r"));
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToList();
        var low = hashes[10];
        var high = hashes[30];

        async Task<HashSet<uint>> Read(uint begin, uint end) =>
            (await _table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.GetUniformHashCode()).ToHashSet();

        // (low, high]: excludes low, includes high.
        Assert.Equal(hashes.Where(h => h > low && h <= high).ToHashSet(), await Read(low, high));
        // Wrap-around (high, low]: everything above high plus everything up to and including low.
        Assert.Equal(hashes.Where(h => h > high || h <= low).ToHashSet(), await Read(high, low));
        // begin == end is the whole ring.
        Assert.Equal(hashes.ToHashSet(), await Read(low, low));
        // Extremes of the unsigned range.
        Assert.Equal(hashes.ToHashSet(), await Read(0, uint.MaxValue));
        Assert.Equal(hashes.Where(h => h <= low).ToHashSet(), await Read(uint.MaxValue, low));
        // The two halves of a split ring together give everything exactly once.
        var halves = (await _table.ReadRows(low, high)).Reminders.Count + (await _table.ReadRows(high, low)).Reminders.Count;
        Assert.Equal(grains.Count, halves);
    }

    [Fact]
    public async Task TestOnlyClearTable_removes_this_service_only()
    {
        await _table.UpsertRow(Entry(GrainId.Create("job", "acme/x"), "r"));
        await using var otherService = new TestProviders(_providers.Options.ConnectionString, serviceId: "other-service");
        var otherTable = otherService.Reminders();
        await otherTable.UpsertRow(Entry(GrainId.Create("job", "acme/x"), "r"));

        await _table.TestOnlyClearTable();

        Assert.Empty((await _table.ReadRows(0, 0)).Reminders);
        Assert.Single((await otherTable.ReadRows(0, 0)).Reminders);
    }
}
