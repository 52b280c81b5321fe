using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Workers;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests;

/// <summary>
/// The compute loop's batch gathering on a fake clock: time moves only when a test says so, and the test knows the
/// loop has taken in a row when its reply arrives or when the loop starts a timed wait for more (a new timer).
/// </summary>
public sealed class DeviceExecutorTests
{
    // Bounds waits on signals so that a broken executor fails a test instead of hanging it; never reached when it works.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(120);

    static StepCall Row(string session, int masks) =>
        new("t", session, SessionPriority.Interactive, [.. Enumerable.Repeat(CharTokenizer.Mask, masks), CharTokenizer.IdOf('x')], StepPolicy.Default, 0, masks);

    static DeviceExecutor Executor(FakeStepper stepper, TimeProvider time, double maxBatchWaitMs, double returnWaitMs) =>
        new(new ModelRuntime(FakeModel.Name, "cpu", stepper, new CharTokenizer()),
            new BatchingOptions { MaxBatchSize = 8, MaxBatchWaitMs = maxBatchWaitMs, ReturnWaitMs = returnWaitMs }, NullLogger.Instance, time);

    [Fact]
    public async Task A_row_that_filled_its_masks_is_forgotten_by_the_stepper_and_one_with_masks_left_is_not()
    {
        var stepper = new FakeStepper(); // commits one mask per row and step
        using var executor = Executor(stepper, new FakeTimeProvider(), maxBatchWaitMs: 0, returnWaitMs: 0);

        await executor.Submit(Row("finishing", 1)).WaitAsync(Hang);
        await executor.Submit(Row("going-on", 2)).WaitAsync(Hang);

        // The kept context of a finished row would otherwise sit in the stepper's cache until evicted.
        Assert.Equal(["t/finishing"], stepper.Forgotten);
    }

    [Theory]
    [InlineData(3000, 3)] // the returning sessions are awaited: one batch for all three
    [InlineData(0, 5)]    // no return wait: each straggler gets its own batch
    public async Task Sessions_of_the_last_batch_that_still_have_masks_are_awaited(double returnWaitMs, int expectedCalls)
    {
        var stepper = new FakeStepper();
        var time = new SignallingTimeProvider(new FakeTimeProvider());
        using var executor = Executor(stepper, time, maxBatchWaitMs: 0, returnWaitMs);

        // Batch 1: a session that finishes (one mask), held at the gate. Batch 2: three sessions queued behind it,
        // each with masks left after its step.
        stepper.Gate.Reset();
        var first = executor.Submit(Row("done", 1));
        await stepper.WhenCalls(1).WaitAsync(Hang);
        var second = new[] { "a", "b", "c" }.Select(s => executor.Submit(Row(s, 3))).ToArray();
        stepper.Gate.Set();
        await first.WaitAsync(Hang);
        await Task.WhenAll(second).WaitAsync(Hang);

        // They come back one by one, each only once the loop has taken in the one before: the loop then either ran it
        // (its reply arrives) or started a timed wait for the others (a new timer). The fake clock never moves, so
        // a wait for returning sessions can only end by their arrival.
        var third = new List<Task<StepReply>>();
        foreach (var s in new[] { "a", "b", "c" })
        {
            var timers = time.Timers;
            var reply = executor.Submit(Row(s, 2));
            third.Add(reply);
            await Task.WhenAny(reply, time.WhenTimers(timers + 1)).WaitAsync(Hang);
        }
        await Task.WhenAll(third).WaitAsync(Hang);

        Assert.Equal(expectedCalls, stepper.Calls);
        Assert.Equal(3, stepper.Batches.ElementAt(1).Length);
        Assert.Equal(returnWaitMs > 0 ? 3 : 1, stepper.Batches.Last().Length);
    }

    [Fact]
    public async Task The_wait_for_returning_sessions_ends_after_ReturnWaitMs()
    {
        var stepper = new FakeStepper();
        var clock = new FakeTimeProvider();
        var time = new SignallingTimeProvider(clock);
        using var executor = Executor(stepper, time, maxBatchWaitMs: 0, returnWaitMs: 3000);
        // "a" and "b" queue up behind a finishing row held at the gate, so they surely form one batch. (Sent to an idle
        // loop, "a" could be taken alone on a loaded machine, and "b" would then wait for it on a clock that never moves.)
        stepper.Gate.Reset();
        var opener = executor.Submit(Row("done", 1));
        await stepper.WhenCalls(1).WaitAsync(Hang);
        var pair = new[] { "a", "b" }.Select(s => executor.Submit(Row(s, 3))).ToArray();
        stepper.Gate.Set();
        await opener.WaitAsync(Hang);
        await Task.WhenAll(pair).WaitAsync(Hang);
        Assert.Equal(2, stepper.Batches.ElementAt(1).Length);
        var batches = stepper.Calls;

        // Only "a" comes back; "b" never does. The loop waits for it on the clock…
        var timers = time.Timers;
        var reply = executor.Submit(Row("a", 2));
        await time.WhenTimers(timers + 1).WaitAsync(Hang);
        clock.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.False(reply.IsCompleted);

        // …until ReturnWaitMs has passed.
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await reply.WaitAsync(Hang);
        Assert.Equal(batches + 1, stepper.Calls);
        Assert.Single(stepper.Batches.Last());
    }

    [Fact]
    public async Task Bulk_rows_wait_while_an_interactive_session_of_the_last_batch_is_on_its_way_back()
    {
        var stepper = new FakeStepper();
        var time = new SignallingTimeProvider(new FakeTimeProvider());
        // MaxBatchSize 2: the two bulk rows below fill a batch, which used to close it at once. The CPU's bulk rules apply.
        using var executor = new DeviceExecutor(new ModelRuntime(FakeModel.Name, "cpu", stepper, new CharTokenizer()),
            new BatchingOptions { MaxBatchSize = 2, MaxBatchWaitMs = 0, ReturnWaitMs = 3000 }, NullLogger.Instance, time);

        stepper.Gate.Reset();
        var first = executor.Submit(Row("editor", 3));
        await stepper.WhenCalls(1).WaitAsync(Hang);
        var bulk = new[] { "job-1", "job-2" }.Select(s => executor.Submit(Row(s, 1) with { Priority = SessionPriority.Bulk, Tokens = [CharTokenizer.Mask, CharTokenizer.IdOf('b')] })).ToArray();
        var timers = time.Timers;
        stepper.Gate.Set();
        await first.WaitAsync(Hang);

        // The editor still has masks: the loop waits for it (a new timer) instead of running the bulk rows.
        await Task.WhenAny(time.WhenTimers(timers + 1), stepper.WhenCalls(2)).WaitAsync(Hang);
        Assert.Equal(1, stepper.Calls);

        // It comes back and goes alone; then the bulk rows, one per batch.
        await executor.Submit(Row("editor", 1)).WaitAsync(Hang);
        await Task.WhenAll(bulk).WaitAsync(Hang);
        // Rows are told apart by their last token: 'x' the editor's, 'b' the bulk rows'.
        var x = CharTokenizer.IdOf('x');
        Assert.Equal(["x", "x", "b", "b"], stepper.Batches.Select(b => string.Concat(b.Select(r => r[^1] == x ? "x" : "b"))));
    }

    [Fact]
    public async Task A_first_row_waits_MaxBatchWaitMs_for_company()
    {
        var stepper = new FakeStepper();
        var clock = new FakeTimeProvider();
        var time = new SignallingTimeProvider(clock);
        using var executor = Executor(stepper, time, maxBatchWaitMs: 5, returnWaitMs: 0);

        var lone = executor.Submit(Row("x", 1));
        await time.WhenTimers(1).WaitAsync(Hang);
        var company = executor.Submit(Row("y", 1));
        await time.WhenTimers(2).WaitAsync(Hang); // the loop took "y" in and waits on
        Assert.Equal(0, stepper.Calls);

        clock.Advance(TimeSpan.FromMilliseconds(5));
        await Task.WhenAll(lone, company).WaitAsync(Hang);
        Assert.Equal(1, stepper.Calls);
        Assert.Equal(2, stepper.Batches.Single().Length);
    }
}
