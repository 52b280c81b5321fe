using Orleans.Runtime;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Jobs;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Grains.Jobs;
using SeedGrains.Tests.Fakes;
using static SeedGrains.Grains.Tests.SessionWatching;

namespace SeedGrains.Grains.Tests.Jobs;

/// <summary>Job grains on an in-process cluster with the fake stepper and the in-memory job store.</summary>
public sealed class JobGrainTests
{
    private const string Tenant = "jobs";

    /// <summary>File i: a function whose body (the masked region) is "    return i".</summary>
    private static JobFile File(int i)
    {
        var text = $"def f{i}():\n    return {i}\n";
        var start = text.IndexOf("    return", StringComparison.Ordinal);
        return new JobFile($"pkg/m{i}.py", text, [new TextRegion(start, text.Length - 1)]);
    }

    private static CreateJobRequest Request(int files, int concurrency, params JobFile[] extra) =>
        new([.. Enumerable.Range(0, files).Select(File), .. extra], files + extra.Length + 1, concurrency);

    private static async Task<IJobGrain> Submit(TestCluster cluster, CreateJobRequest request)
    {
        var progress = await cluster.Grains.GetGrain<IJobDirectoryGrain>(Tenant).Submit(request);
        return cluster.Grains.GetGrain<IJobGrain>(JobKey.Of(Tenant, progress.Id));
    }

    private static Task Status(IJobGrain job, JobStatus status) =>
        Eventually(async () => (await job.Get()).Status == status, $"job {status}");

    private static async Task<bool> Gone(ISessionGrain session)
    {
        try
        {
            await session.Get();
            return false;
        }
        catch (SessionNotFoundException)
        {
            return true;
        }
    }

    private static async Task<int> ActiveSessions(TestCluster cluster) => (await cluster.Tenant(Tenant).GetUsage()).ActiveSessions;

    [Fact]
    public async Task A_job_generates_every_file_with_at_most_its_concurrency_in_flight()
    {
        await using var cluster = await TestCluster.Start();
        cluster.Stepper.Gate.Reset();
        var job = await Submit(cluster, Request(files: 6, concurrency: 2));
        await Eventually(async () => (await job.Get()).InFlight == 2 && await ActiveSessions(cluster) == 2, "two files in flight");

        var most = 0;
        cluster.Stepper.BeforeStep = _ => most = Math.Max(most, cluster.Tenant(Tenant).GetUsage().GetAwaiter().GetResult().ActiveSessions);
        cluster.Stepper.Gate.Set();
        await Status(job, JobStatus.Succeeded);

        var progress = await job.Get();
        Assert.Equal((6, 6, 0, 7), (progress.FilesTotal, progress.FilesDone, progress.FilesFailed, progress.FilesUploaded));
        Assert.InRange(most, 1, 2);
        Assert.True(progress.Tokens > 0);
        var files = await job.Files(0, 100);
        Assert.Equal(Enumerable.Range(0, 6), files.Select(f => f.Index));
        Assert.All(files, f =>
        {
            Assert.Equal(JobFileOutcome.Succeeded, f.Outcome);
            Assert.StartsWith($"def f{f.Index}():\n", f.Result!.NewText);
            Assert.DoesNotContain(SessionSnapshot.MaskPlaceholder, f.Result.NewText);
        });
        Assert.Equal(progress.Tokens, files.Sum(f => f.Result!.Tokens));
        // Each file's session is gone once its result is stored.
        await Assert.ThrowsAsync<SessionNotFoundException>(() => cluster.Session(Tenant, JobKey.FileSession(progress.Id, 0)).Get());
    }

    [Fact]
    public async Task A_paused_job_starts_nothing_new_until_resumed()
    {
        await using var cluster = await TestCluster.Start();
        cluster.Stepper.Gate.Reset();
        var job = await Submit(cluster, Request(files: 3, concurrency: 1));
        await Eventually(async () => (await job.Get()).InFlight == 1, "one file in flight");

        Assert.Equal(JobStatus.Paused, (await job.Pause()).Status);
        cluster.Stepper.Gate.Set();
        await Eventually(async () => (await job.Get()) is { FilesDone: 1, InFlight: 0 } && await ActiveSessions(cluster) == 0, "the file under way lands");
        var paused = await job.Get();
        Assert.Equal((JobStatus.Paused, 0, 1), (paused.Status, paused.InFlight, paused.FilesDone));
        Assert.Equal(0, await ActiveSessions(cluster));

        Assert.Equal(JobStatus.Running, (await job.Resume()).Status);
        await Status(job, JobStatus.Succeeded);
        Assert.Equal(3, (await job.Get()).FilesDone);
    }

    [Fact]
    public async Task A_cancelled_job_stops_its_files_and_records_none_of_them()
    {
        await using var cluster = await TestCluster.Start();
        cluster.Stepper.Gate.Reset();
        var job = await Submit(cluster, Request(files: 4, concurrency: 2));
        await Eventually(async () => (await job.Get()).InFlight == 2, "two files in flight");
        var id = (await job.Get()).Id;

        var cancelled = await job.Cancel();
        cluster.Stepper.Gate.Set();
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        await Eventually(async () => await ActiveSessions(cluster) == 0, "the files' sessions released");
        await Eventually(async () => await Gone(cluster.Session(Tenant, JobKey.FileSession(id, 0))), "the file's session removed");
        var after = await job.Get();
        Assert.Equal((JobStatus.Cancelled, 0), (after.Status, after.FilesDone));
        await Assert.ThrowsAsync<JobStateException>(() => job.Resume());
    }

    [Fact]
    public async Task A_file_run_that_finds_its_session_part_done_counts_the_tokens_generated_before_it_came()
    {
        // A run before a failover created the file's session; three steps committed, and the activation went while the
        // fourth was at the model. A job that comes back re-attaches (JobFileRun finds the session) and sees only what
        // is left: the count must come from the session, not from the masks the new run sees.
        var stepper = new FakeStepper();
        await using var cluster = await TestCluster.Start(stepper);
        var file = new JobFile("pkg/long.py", "x = []\n", [new TextRegion(5, 5, MaxTokens: 40)]);
        var session = cluster.Session(Tenant, "part-done");
        stepper.BeforeStep = _ => { if (stepper.Calls == 4) stepper.Gate.Reset(); };
        var created = await session.Create(new CreateSessionRequest(file.Text, file.Regions, SessionPriority.Bulk));
        await stepper.WhenCalls(4).WaitAsync(TimeSpan.FromSeconds(120));
        stepper.BeforeStep = null;
        var deactivating = cluster.Cluster.DeactivateAsync(session);
        stepper.Gate.Set();
        await deactivating;
        Assert.True((await session.Get()).Masked < created.Masked, "steps committed before the deactivation");

        var record = new JobRecord(Tenant, "j", JobStatus.Running, 1, 1, 1, null, 100_000, DateTimeOffset.UnixEpoch);
        var result = await JobFileRun.Run(session, 0, file, record, TimeProvider.System);

        Assert.Equal(JobFileOutcome.Succeeded, result!.Outcome);
        Assert.Equal("x = [" + FakeLetters(5, created.Masked) + "]\n", result.NewText);
        // The fake model writes one letter per mask, so every mask is one generated token.
        Assert.Equal(created.Masked, result.Tokens);
    }

    [Fact]
    public async Task A_failing_file_does_not_fail_the_job()
    {
        await using var cluster = await TestCluster.Start();
        var broken = new JobFile("bad.py", "x = 1\n", [new TextRegion(0, 500)]); // a region past the text: the session refuses it
        var job = await Submit(cluster, Request(files: 2, concurrency: 2, broken));
        await Status(job, JobStatus.Succeeded);

        var progress = await job.Get();
        Assert.Equal((3, 1), (progress.FilesDone, progress.FilesFailed));
        var bad = await job.File(2);
        Assert.Equal(JobFileOutcome.Failed, bad.Outcome);
        Assert.Null(bad.Result!.NewText);
        Assert.False(string.IsNullOrEmpty(bad.Result.Error));
    }

    [Fact]
    public async Task A_job_whose_every_file_fails_has_failed()
    {
        await using var cluster = await TestCluster.Start();
        var job = await Submit(cluster, new CreateJobRequest([new JobFile("bad.py", "x\n", [new TextRegion(0, 99)])], 1, 1));
        await Status(job, JobStatus.Failed);
    }

    [Fact]
    public async Task Results_survive_the_grain_deactivating()
    {
        await using var cluster = await TestCluster.Start();
        var job = await Submit(cluster, Request(files: 3, concurrency: 3));
        await Status(job, JobStatus.Succeeded);
        var before = await job.Get();
        var texts = (await job.Files(0, 10)).Select(f => f.Result!.NewText).ToList();

        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var after = await job.Get();
        Assert.Equal((before.Status, before.FilesDone, before.Tokens, before.ElapsedSeconds), (after.Status, after.FilesDone, after.Tokens, after.ElapsedSeconds));
        Assert.Equal(texts, (await job.Files(0, 10)).Select(f => f.Result!.NewText));
        Assert.Equal([before.Id], (await cluster.Grains.GetGrain<IJobDirectoryGrain>(Tenant).List(10)).Select(j => j.Id));
    }

    [Fact]
    public async Task The_tenant_limits_active_jobs_and_files_per_job()
    {
        await using var cluster = await TestCluster.Start();
        await cluster.Tenant(Tenant).SetQuotas(TenantQuotas.Default with { MaxActiveJobs = 1, MaxFilesPerJob = 2 });
        cluster.Stepper.Gate.Reset();
        var directory = cluster.Grains.GetGrain<IJobDirectoryGrain>(Tenant);

        var tooBig = await Assert.ThrowsAsync<JobLimitException>(() => directory.Submit(Request(files: 3, concurrency: 1)));
        Assert.Contains("at most 2", tooBig.Message);
        var first = await Submit(cluster, Request(files: 1, concurrency: 1));
        var second = await Assert.ThrowsAsync<QuotaExceededException>(() => directory.Submit(Request(files: 1, concurrency: 1)));
        Assert.Contains("1 active jobs", second.Message);

        await first.Cancel();
        cluster.Stepper.Gate.Set();
        await Submit(cluster, Request(files: 1, concurrency: 1));
    }
}
