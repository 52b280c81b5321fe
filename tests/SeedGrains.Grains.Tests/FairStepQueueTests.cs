using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Workers;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests;

/// <summary>Weighted round-robin of <see cref="FairStepQueue"/>, row by row.</summary>
public sealed class FairStepQueueTests
{
    [Fact]
    public void Weights_two_and_one_are_served_two_rows_to_one_across_batches()
    {
        var queue = new FairStepQueue();
        for (var i = 0; i < 30; i++)
        {
            queue.Add(Row("heavy", weight: 2));
            queue.Add(Row("light", weight: 1));
        }

        // Batches of 4 cut turns in the middle: the shares must still hold over the whole run.
        var served = new List<string>();
        for (var b = 0; b < 9; b++)
            served.AddRange(queue.TakeBatch(4).Select(p => p.Call.Tenant));

        Assert.Equal(36, served.Count);
        Assert.Equal(24, served.Count(t => t == "heavy"));
        Assert.Equal(12, served.Count(t => t == "light"));
        // The order is the rotation itself: two heavy rows, one light row, again and again.
        Assert.Equal(string.Concat(Enumerable.Repeat("HHL", 12)), string.Concat(served.Select(t => t == "heavy" ? "H" : "L")));
    }

    [Fact]
    public void Equal_weights_stay_plain_round_robin()
    {
        var queue = new FairStepQueue();
        for (var i = 0; i < 4; i++) queue.Add(Row("a", weight: 1));
        for (var i = 0; i < 4; i++) queue.Add(Row("b", weight: 1));

        var served = queue.TakeBatch(8).Select(p => p.Call.Tenant);

        Assert.Equal("abababab", string.Concat(served));
    }

    [Fact]
    public void Interactive_rows_still_come_before_bulk_whatever_the_weight()
    {
        var queue = new FairStepQueue();
        for (var i = 0; i < 4; i++) queue.Add(Row("bulk-heavy", weight: 5, SessionPriority.Bulk));
        queue.Add(Row("interactive", weight: 1));

        var batch = queue.TakeBatch(3);

        Assert.Equal(["interactive", "bulk-heavy", "bulk-heavy"], batch.Select(p => p.Call.Tenant));
    }

    [Fact]
    public void A_tenant_with_nothing_else_queued_gives_way_after_its_last_row()
    {
        var queue = new FairStepQueue();
        queue.Add(Row("heavy", weight: 3));
        queue.Add(Row("light", weight: 1));
        queue.Add(Row("light", weight: 1));

        Assert.Equal(["heavy", "light", "light"], queue.TakeBatch(8).Select(p => p.Call.Tenant));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Missing_or_nonsense_weights_count_as_one()
    {
        var queue = new FairStepQueue();
        for (var i = 0; i < 3; i++) queue.Add(Row("zero", weight: 0));
        for (var i = 0; i < 3; i++) queue.Add(Row("negative", weight: -4));

        Assert.Equal(["zero", "negative", "zero", "negative", "zero", "negative"], queue.TakeBatch(6).Select(p => p.Call.Tenant));
    }

    [Fact]
    public void With_cpu_rules_interactive_rows_go_alone_and_bulk_rows_one_at_a_time()
    {
        var queue = new FairStepQueue();
        for (var i = 0; i < 3; i++) queue.Add(Row("job", weight: 1, SessionPriority.Bulk));
        queue.Add(Row("editor", weight: 1));
        var cpu = new BulkBatching(MaxRows: 1, BesideInteractive: false);

        Assert.Equal(["editor"], queue.TakeBatch(8, cpu).Select(p => p.Call.Tenant));
        Assert.Equal(["job"], queue.TakeBatch(8, cpu).Select(p => p.Call.Tenant));
        Assert.Equal(["job"], queue.TakeBatch(8, cpu).Select(p => p.Call.Tenant));
        Assert.Equal(1, queue.Count);
        Assert.Equal(0, queue.InteractiveCount);
    }

    [Fact]
    public void Bulk_rows_beside_interactive_ones_are_capped_at_their_own_limit()
    {
        var queue = new FairStepQueue();
        for (var i = 0; i < 5; i++) queue.Add(Row("job", weight: 1, SessionPriority.Bulk));
        queue.Add(Row("editor", weight: 1));

        var batch = queue.TakeBatch(8, new BulkBatching(MaxRows: 2, BesideInteractive: true));

        Assert.Equal(["editor", "job", "job"], batch.Select(p => p.Call.Tenant));
        Assert.Equal(3, queue.Count);
    }

    [Fact]
    public void After_its_pass_overs_a_waiting_bulk_row_goes_first_while_interactive_work_never_lets_up()
    {
        var queue = new FairStepQueue();
        for (var i = 0; i < 2; i++) queue.Add(Row("job", weight: 1, SessionPriority.Bulk));
        var cpu = new BulkBatching(MaxRows: 1, BesideInteractive: false, MaxPassOvers: 3);

        var served = new List<string>();
        for (var round = 0; round < 8; round++)
        {
            queue.Add(Row("editor", weight: 1)); // a new interactive row before every batch
            served.Add(string.Join("+", queue.TakeBatch(8, cpu).Select(p => p.Call.Tenant)));
        }

        // Three batches pass the job over, the fourth is its row alone (CPU rules), and the count starts again.
        Assert.Equal(["editor", "editor", "editor", "job", "editor+editor", "editor", "editor", "job"], served);
    }

    [Fact]
    public void A_due_bulk_row_takes_its_place_before_interactive_rows_in_a_full_batch()
    {
        var queue = new FairStepQueue();
        for (var i = 0; i < 3; i++) queue.Add(Row("job", weight: 1, SessionPriority.Bulk));
        var gpu = new BulkBatching(MaxRows: 1, BesideInteractive: true, MaxPassOvers: 1);
        for (var i = 0; i < 4; i++) queue.Add(Row("editor", weight: 1));

        Assert.Equal(["editor", "editor"], queue.TakeBatch(2, gpu).Select(p => p.Call.Tenant)); // full: the job waits
        Assert.Equal(["job", "editor"], queue.TakeBatch(2, gpu).Select(p => p.Call.Tenant)); // due: it goes first
    }

    [Fact]
    public void No_pass_over_limit_is_strict_priority()
    {
        var queue = new FairStepQueue();
        queue.Add(Row("job", weight: 1, SessionPriority.Bulk));
        var strict = new BulkBatching(MaxRows: 1, BesideInteractive: false, MaxPassOvers: 0);

        for (var round = 0; round < 20; round++)
        {
            queue.Add(Row("editor", weight: 1));
            Assert.Equal(["editor"], queue.TakeBatch(8, strict).Select(p => p.Call.Tenant));
        }
        Assert.Equal(["job"], queue.TakeBatch(8, strict).Select(p => p.Call.Tenant)); // only once nothing interactive waits
    }

    [Theory]
    [InlineData("cpu", 0, null, 1, false)]        // auto on the CPU: one bulk row per batch, never beside interactive rows
    [InlineData("cuda:0", 0, null, 8, true)]      // auto on a GPU: no limit beyond the batch size
    [InlineData("cpu", 3, true, 3, true)]         // set explicitly
    [InlineData("cuda:1", 20, false, 8, false)]   // never above MaxBatchSize
    public void Bulk_rules_resolve_per_device(string device, int maxBulk, bool? beside, int expectedRows, bool expectedBeside)
    {
        var options = new BatchingOptions { MaxBatchSize = 8, MaxBulkBatchSize = maxBulk, BulkBesideInteractive = beside };

        Assert.Equal(new BulkBatching(expectedRows, expectedBeside, MaxPassOvers: 8), options.BulkBatchingFor(device));
    }

    private static PendingStep Row(string tenant, int weight, SessionPriority priority = SessionPriority.Interactive) =>
        new(new StepCall(tenant, $"{tenant}-session", priority, [CharTokenizer.Mask, CharTokenizer.Mask], StepPolicy.Default, 0, 1, weight));
}
