using SeedGrains.Abstractions.Jobs;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresJobStoreTests(PostgresServerFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset Created = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private TestProviders _providers = null!;

    public async Task InitializeAsync() => _providers = new TestProviders(await postgres.CreateDatabaseAsync("jobs"));

    public async Task DisposeAsync() => await _providers.DisposeAsync();

    private static JobRecord Job(string id, JobStatus status = JobStatus.Queued) => new("acme", id, status, 5, 3, 2,
        new DecodingRequest(StepCommitRule.EntropyBounded, MaxSteps: 4, Seed: 7), 1000, Created, Selection: "todo");

    private static List<JobFile> Files(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new JobFile($"src/m{i}.py", $"x = {i}\n", [new TextRegion(0, 1), new TextRegion(4, 5, 3)]))];

    [Fact]
    public async Task A_job_and_its_files_round_trip()
    {
        var store = _providers.Jobs();
        await store.Create(Job("j1"), Files(3));

        Assert.Equal(Job("j1"), await store.Get("acme", "j1"));
        Assert.Null(await store.Get("acme", "nope"));
        Assert.Null(await store.Get("other", "j1"));
        var file = await store.GetFile("acme", "j1", 1);
        Assert.Equal(("src/m1.py", "x = 1\n", JobFileOutcome.Pending), (file!.File.Path, file.File.Text, file.Outcome));
        Assert.Equal([new TextRegion(0, 1), new TextRegion(4, 5, 3)], file.File.Regions);
        Assert.Null(await store.GetFile("acme", "j1", 3));

        var running = Job("j1", JobStatus.Running) with { Started = Created.AddSeconds(1), ActiveSince = Created.AddSeconds(1), ActiveSeconds = 2.5 };
        await store.Update(running);
        Assert.Equal(running, await store.Get("acme", "j1"));
    }

    [Fact]
    public async Task A_file_gets_one_result_and_pending_counts_and_listing_follow()
    {
        var store = _providers.Jobs();
        await store.Create(Job("j1"), Files(3));
        await store.Create(Job("j2", JobStatus.Succeeded), []);

        var result = new JobFileResult(1, JobFileOutcome.Succeeded, "y = 1\n", 12, null, Created.AddMinutes(1));
        Assert.True(await store.RecordResult("acme", "j1", result));
        Assert.False(await store.RecordResult("acme", "j1", result with { NewText = "again" }));
        Assert.True(await store.RecordResult("acme", "j1", new JobFileResult(2, JobFileOutcome.Failed, null, 0, "model", Created)));

        Assert.Equal(result, (await store.GetFile("acme", "j1", 1))!.Result);
        Assert.Equal([0], await store.Pending("acme", "j1", -1, 10));
        Assert.Empty(await store.Pending("acme", "j1", 0, 10));
        Assert.Equal(new JobCounts(1, 1, 12), await store.Count("acme", "j1"));
        Assert.Equal([1, 2], (await store.Files("acme", "j1", 1, 10)).Select(f => f.Index));
        Assert.Equal(["j2", "j1"], (await store.List("acme", 10)).Select(j => j.Id));
        Assert.Equal(1, await store.CountActive("acme"));
    }
}
