using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Workers;
using SeedGrains.Tests.Fakes;
using Xunit.Abstractions;
using static SeedGrains.Grains.Tests.SessionWatching;

namespace SeedGrains.Grains.Tests;

public sealed class ModelWorkerTests(ITestOutputHelper output)
{
    private const int TenantA = 100;
    private const int TenantB = 200;
    private const int Interactive = 300;

    [Fact]
    public async Task Concurrent_sessions_share_batches_on_the_dedicated_compute_thread()
    {
        // On a clock that never moves, a batch closes only when it is full or when every returning session of the last
        // batch is back (no MaxBatchWaitMs): how many rows share a call no longer depends on how busy the machine is.
        var stepper = new FakeStepper();
        await using var cluster = await TestCluster.Start(stepper, b => { b.MaxBatchSize = 8; b.MaxBatchWaitMs = 0; b.ReturnWaitMs = 60_000; },
            time: new FakeTimeProvider());
        const int sessions = 24, budget = 6;
        var worker = await LocalWorker(cluster);

        // All sessions start together: the model is held until every first row is in (held at the gate or queued).
        stepper.Gate.Reset();
        var created = await Task.WhenAll(Enumerable.Range(0, sessions).Select(async i =>
        {
            var session = cluster.Session(i % 2 == 0 ? "even" : "odd", $"s{i}");
            await session.Create(new CreateSessionRequest($"<{i:D2}>", [new TextRegion(3, 3, MaxTokens: budget)]));
            return (i, session);
        }));
        await Eventually(async () => stepper.RowsSeen + (await worker.GetStats()).Queued == sessions, "every session's first row in");
        stepper.Gate.Set();
        var finals = await Task.WhenAll(created.Select(async c => (c.i, (await c.session.UntilSettled())[^1].Snapshot)));

        foreach (var (i, final) in finals)
            Assert.Equal($"<{i:D2}" + FakeLetters(3, budget) + ">", final.Text);
        var rows = stepper.RowsSeen;
        output.WriteLine($"{rows} rows in {stepper.Calls} stepper calls, largest batch {stepper.Batches.Max(b => b.Length)}");
        Assert.Equal(sessions * budget, rows);
        Assert.True(stepper.Calls * 2 <= rows, $"{stepper.Calls} stepper calls for {rows} rows: batching should at least halve the calls");
        Assert.True(stepper.Batches.Max(b => b.Length) > 1);
        Assert.All(stepper.Batches, b => Assert.True(b.Length <= 8));
        Assert.Equal(["seedgrains-compute-cpu"], stepper.Threads.Keys);
    }

    [Fact]
    public async Task A_tenant_flooding_the_queue_does_not_starve_another_tenant()
    {
        var stepper = new FakeStepper();
        await using var cluster = await TestCluster.Start(stepper, b => b.MaxBatchSize = 4);
        var worker = await LocalWorker(cluster);
        var blocker = await HoldTheComputeThread(stepper, worker);

        var flood = Enumerable.Range(0, 20).Select(_ => worker.Step(Row("a", TenantA))).ToList();
        // Calls are not ordered among themselves: let the whole flood arrive first, as FIFO's worst case.
        await Eventually(async () => (await worker.GetStats()).Queued == 20, "the flood queued");
        var other = Enumerable.Range(0, 3).Select(_ => worker.Step(Row("b", TenantB))).ToList();
        await Eventually(async () => (await worker.GetStats()).Queued == 23, "all rows queued");
        stepper.Gate.Set();
        await Task.WhenAll(flood.Append(blocker).Concat(other));

        var batches = stepper.Batches.Skip(1).ToList();
        var lastBatchWithB = batches.FindLastIndex(b => b.Any(row => row[0] == TenantB));
        // Round-robin: A, B, A, B | A, B, A, A | … — FIFO would have served B only in the sixth batch.
        Assert.Equal(1, lastBatchWithB);
        Assert.Equal([TenantA, TenantB, TenantA, TenantB], batches[0].Select(row => row[0]));
        Assert.Equal(23, batches.Sum(b => b.Length));
    }

    [Fact]
    public async Task Interactive_rows_are_batched_before_bulk_rows()
    {
        var stepper = new FakeStepper();
        // A GPU's rules (bulk rows fill free slots beside interactive ones), set explicitly: the fake runs on "cpu".
        await using var cluster = await TestCluster.Start(stepper, b => { b.MaxBatchSize = 4; b.BulkBesideInteractive = true; b.MaxBulkBatchSize = 4; });
        var worker = await LocalWorker(cluster);
        var blocker = await HoldTheComputeThread(stepper, worker);

        var bulk = Enumerable.Range(0, 8).Select(_ => worker.Step(Row("a", TenantA, SessionPriority.Bulk))).ToList();
        await Eventually(async () => (await worker.GetStats()).Queued == 8, "the bulk rows queued");
        var interactive = Enumerable.Range(0, 2).Select(_ => worker.Step(Row("a", Interactive))).ToList();
        await Eventually(async () => (await worker.GetStats()).Queued == 10, "all rows queued");
        stepper.Gate.Set();
        await Task.WhenAll(bulk.Concat(interactive).Append(blocker));

        var firstBatch = stepper.Batches.Skip(1).First();
        Assert.Equal([Interactive, Interactive, TenantA, TenantA], firstBatch.Select(row => row[0]));
    }

    [Fact]
    public async Task Rows_are_batched_with_rows_of_similar_length_only()
    {
        var stepper = new FakeStepper();
        await using var cluster = await TestCluster.Start(stepper, b => b.MaxBatchSize = 8);
        var worker = await LocalWorker(cluster);
        var blocker = await HoldTheComputeThread(stepper, worker);

        var rows = new List<Task<StepReply>> { worker.Step(Row("a", TenantA, length: 3)) };
        await Eventually(async () => (await worker.GetStats()).Queued == 1, "the short row queued");
        rows.Add(worker.Step(Row("b", TenantB, length: 100)));
        await Eventually(async () => (await worker.GetStats()).Queued == 2, "the long row queued");
        rows.Add(worker.Step(Row("c", Interactive, length: 5)));
        await Eventually(async () => (await worker.GetStats()).Queued == 3, "the second short row queued");
        stepper.Gate.Set();
        await Task.WhenAll(rows.Append(blocker));

        // Windows are bucketed by the next power of two ≥ 16: 3 and 5 ride together, 100 (bucket 128) alone.
        var batches = stepper.Batches.Skip(1).Select(b => b.Select(row => row.Length).ToArray()).ToList();
        Assert.Equal([[3, 5], [100]], batches);
    }

    [Fact]
    public async Task A_full_queue_rejects_at_once_with_a_busy_error()
    {
        var stepper = new FakeStepper();
        await using var cluster = await TestCluster.Start(stepper, b => { b.QueueCapacity = 4; b.MaxQueuedPerTenant = 4; });
        var worker = await LocalWorker(cluster);
        var blocker = await HoldTheComputeThread(stepper, worker);
        var queued = Enumerable.Range(0, 4).Select(_ => worker.Step(Row("a", TenantA))).ToList();
        await Eventually(async () => (await worker.GetStats()).Queued == 4, "the queue to fill");

        // Busy is answered at once: while the compute thread is still held and the queue still full. A call that waited
        // for room would wait for the gate, which only this test opens (after it), and would time out here instead.
        var busy = await Assert.ThrowsAsync<ModelBusyException>(() => worker.Step(Row("b", TenantB)).WaitAsync(TimeSpan.FromSeconds(120)));
        Assert.Equal(1, stepper.Calls);
        Assert.Equal(4, (await worker.GetStats()).Queued);
        Assert.Contains("busy", busy.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await worker.GetStats()).Rejected);

        stepper.Gate.Set();
        await Task.WhenAll(queued.Append(blocker));
        await worker.Step(Row("b", TenantB));
    }

    [Fact]
    public async Task One_tenant_cannot_take_the_whole_queue()
    {
        var stepper = new FakeStepper();
        await using var cluster = await TestCluster.Start(stepper, b => { b.QueueCapacity = 8; b.MaxQueuedPerTenant = 3; });
        var worker = await LocalWorker(cluster);
        var blocker = await HoldTheComputeThread(stepper, worker);
        var admitted = Enumerable.Range(0, 3).Select(_ => worker.Step(Row("a", TenantA))).ToList();
        await Eventually(async () => (await worker.GetStats()).Queued == 3, "tenant a's rows queued");

        await Assert.ThrowsAsync<ModelBusyException>(() => worker.Step(Row("a", TenantA)));
        admitted.AddRange(Enumerable.Range(0, 3).Select(_ => worker.Step(Row("b", TenantB))));
        await Eventually(async () => (await worker.GetStats()).Queued == 6, "tenant b's rows queued");

        stepper.Gate.Set();
        await Task.WhenAll(admitted.Append(blocker));
    }

    [Fact]
    public async Task Workers_are_pinned_to_the_silo_in_their_key_and_listed_by_the_registry()
    {
        await using var cluster = await TestCluster.Start(silos: 2);
        var silos = cluster.Cluster.Silos.Select(s => s.SiloAddress).ToList();

        foreach (var silo in silos)
            await cluster.Grains.GetGrain<IModelWorkerGrain>(new WorkerAddress(FakeModel.Name, "cpu", silo.ToParsableString()).Key).Step(Row("a", TenantA));

        foreach (var silo in silos)
        {
            var executors = cluster.Cluster.GetSiloServiceProvider(silo).GetRequiredService<DeviceExecutors>();
            Assert.Equal(1, executors.Get("cpu").Stats.Rows);
        }
        var registry = cluster.Grains.GetGrain<IModelWorkerRegistryGrain>(IModelWorkerRegistryGrain.Key);
        await Eventually(async () => (await registry.List(FakeModel.Name)).Length == 2, "both silos' workers listed");
        Assert.Equal(silos.Select(s => s.ToParsableString()).Order(), (await registry.List(FakeModel.Name)).Select(w => w.Silo).Order());

        var gone = new WorkerAddress(FakeModel.Name, "cpu", "10.255.255.1:11111@1");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => cluster.Grains.GetGrain<IModelWorkerGrain>(gone.Key).Step(Row("a", TenantA)));
        Assert.Contains("not an active member", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<IModelWorkerGrain> LocalWorker(TestCluster cluster)
    {
        var silo = cluster.Cluster.Silos[0].SiloAddress.ToParsableString();
        var worker = cluster.Grains.GetGrain<IModelWorkerGrain>(new WorkerAddress(FakeModel.Name, "cpu", silo).Key);
        await worker.GetStats();
        return worker;
    }

    /// <summary>Sends one row and waits until the compute thread is stuck in the (closed) stepper with it.</summary>
    private static async Task<Task<StepReply>> HoldTheComputeThread(FakeStepper stepper, IModelWorkerGrain worker)
    {
        stepper.Gate.Reset();
        var blocker = worker.Step(Row("blocker", 1));
        await stepper.WhenCalls(1).WaitAsync(TimeSpan.FromSeconds(120));
        return blocker;
    }

    private static StepCall Row(string tenant, int marker, SessionPriority priority = SessionPriority.Interactive, int length = 2) =>
        new(tenant, $"{tenant}-session", priority, [marker, .. Enumerable.Repeat(CharTokenizer.Mask, length - 1)], StepPolicy.Default, 0, 1);
}
