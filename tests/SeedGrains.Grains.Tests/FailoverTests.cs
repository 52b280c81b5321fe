using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Workers;
using SeedGrains.Tests.Fakes;
using Xunit.Abstractions;
using static SeedGrains.Grains.Tests.SessionWatching;

namespace SeedGrains.Grains.Tests;

public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_without_workers_uses_the_registry_and_fails_over_when_the_worker_silo_dies()
    {
        string? frontName = null;
        await using var cluster = await TestCluster.Start(silos: 3, hostsWorkers: name =>
        {
            frontName ??= name; // the first silo configured hosts no workers
            return name != frontName;
        });
        var front = cluster.Cluster.Silos.Single(s => s.Name == frontName);
        var registry = cluster.Grains.GetGrain<IModelWorkerRegistryGrain>(IModelWorkerRegistryGrain.Key);
        await Eventually(async () => (await registry.List(FakeModel.Name)).Length == 2, "two worker silos listed");
        var locator = cluster.Cluster.GetSiloServiceProvider(front.SiloAddress).GetRequiredService<ModelWorkerLocator>();
        var row = new StepCall("t", "s", SessionPriority.Interactive, [CharTokenizer.Mask], StepPolicy.Default, 0, 1);

        await locator.Step(row, "affinity");
        var served = cluster.Cluster.Silos.Single(s => s != front && RowsOn(cluster, s) == 1);
        var other = cluster.Cluster.Silos.Single(s => s != front && s != served);
        await cluster.Cluster.KillSiloAsync(served);

        // If the registry's activation died with the silo, its new activation is empty until the next announce
        // (0.5 s here): meanwhile the locator says "unavailable", which sessions retry (see SessionGrain). A poll with a
        // generous deadline: the registry refilling gives no signal to wait on.
        var clock = Stopwatch.StartNew();
        StepReply? reply = null;
        while (reply is null)
        {
            try { reply = await locator.Step(row, "affinity"); }
            catch (ModelUnavailableException) when (clock.Elapsed < TimeSpan.FromSeconds(60)) { await Task.Delay(50); }
        }
        output.WriteLine($"failover step took {clock.ElapsedMilliseconds} ms");
        Assert.Single(reply.Commits);
        Assert.Equal(1, RowsOn(cluster, other));
    }

    private static long RowsOn(TestCluster cluster, Orleans.TestingHost.InProcessSiloHandle silo) =>
        cluster.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<DeviceExecutors>().Get("cpu").Stats.Rows;
}
