using Microsoft.Extensions.DependencyInjection;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Tests;

/// <summary>Weighted fairness end to end on the fake stepper: tenant weights become shares of committed tokens.</summary>
public sealed class FairStepQueueClusterTests
{
    [Fact]
    public async Task Two_flooding_tenants_with_weights_two_and_one_get_two_to_one_of_the_committed_tokens()
    {
        // Weights decide only while both tenants have rows waiting. Each session has one row in flight at a time, so the
        // test holds every batch in the fake model until all the other sessions have queued their next row: each batch
        // is then taken from two full backlogs, however slowly the sessions come back on a loaded machine. Batches of
        // 2 rows, one token per row, so committed tokens = rows served.
        const int perTenant = 30;
        const int total = 2 * perTenant;
        const int measured = 150;
        await using var cluster = await TestCluster.Start(batching: b => b.MaxBatchSize = 2);
        await cluster.Tenant("heavy").SetQuotas(new TenantQuotas(Weight: 2));
        await cluster.Tenant("light").SetQuotas(new TenantQuotas(Weight: 1));
        var executor = Executor(cluster);
        var frozen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        cluster.Stepper.BeforeStep = batch =>
        {
            // Every session not in this batch has its next row queued (the rows of the previous batch were committed,
            // since their sessions sent the next one).
            if (!SpinWait.SpinUntil(() => executor.Stats.Queued >= total - batch.Count, TimeSpan.FromSeconds(60)))
                throw new TimeoutException($"only {executor.Stats.Queued} of {total - batch.Count} rows came back to the queue");
            if (++calls <= measured) return;
            // Freeze after the measured batches: this one waits at the gate and commits nothing.
            cluster.Stepper.Gate.Reset();
            frozen.TrySetResult();
        };
        var sessions = new List<(string Tenant, ISessionGrain Session)>();
        for (var i = 0; i < perTenant; i++)
            foreach (var tenant in new[] { "heavy", "light" })
            {
                var session = cluster.Session(tenant, $"s{i}");
                await session.Create(new CreateSessionRequest("x", [new TextRegion(1, 1, 1000)])); // far more than the run serves
                sessions.Add((tenant, session));
            }

        await frozen.Task.WaitAsync(TimeSpan.FromSeconds(120));
        var committed = new Dictionary<string, long> { ["heavy"] = 0, ["light"] = 0 };
        foreach (var (tenant, session) in sessions)
            committed[tenant] += 1000 - (await session.Get()).Masked;
        cluster.Stepper.BeforeStep = null;
        cluster.Stepper.Gate.Set();

        // Exactly the rows of the measured batches were committed (the freeze is exact), ~2 per batch.
        var served = cluster.Stepper.Batches.Take(measured).Sum(b => b.Length);
        Assert.Equal(served, committed["heavy"] + committed["light"]);
        Assert.InRange(served, 2 * measured - 1, 2 * measured);
        // With both backlogs always full the rotation is exactly 2:1 (4 heavy and 2 light rows every 3 batches), but for
        // the first batch, taken while the sessions were still being created: ~200:100, ±3 rows. Plain round-robin
        // would give 1:1.
        var ratio = (double)committed["heavy"] / committed["light"];
        Assert.InRange(ratio, 1.94, 2.06);
    }

    /// <summary>The single silo's compute loop of its only device.</summary>
    private static DeviceExecutor Executor(TestCluster cluster)
    {
        var services = cluster.Cluster.Silos[0].ServiceProvider;
        var device = services.GetRequiredService<ModelRuntimes>().Devices[0].Device;
        return services.GetRequiredService<DeviceExecutors>().Get(device);
    }
}
