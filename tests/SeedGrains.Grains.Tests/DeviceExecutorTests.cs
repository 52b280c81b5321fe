using Microsoft.Extensions.Logging.Abstractions;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Workers;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests;

public sealed class DeviceExecutorTests
{
    static StepCall Row(string session, int masks) =>
        new("t", session, SessionPriority.Interactive, [.. Enumerable.Repeat(CharTokenizer.Mask, masks), CharTokenizer.IdOf('x')], StepPolicy.Default, 0, masks);

    [Theory]
    [InlineData(3000, 3)] // the returning sessions are awaited: one batch for all three
    [InlineData(0, 5)]    // no return wait: each straggler gets its own batch
    public async Task Sessions_of_the_last_batch_that_still_have_masks_are_awaited(double returnWaitMs, int expectedCalls)
    {
        var stepper = new FakeStepper();
        using var executor = new DeviceExecutor(new ModelRuntime(FakeModel.Name, "cpu", stepper, new CharTokenizer()),
            new BatchingOptions { MaxBatchSize = 8, MaxBatchWaitMs = 0, ReturnWaitMs = returnWaitMs }, NullLogger.Instance);

        // Batch 1: a session that finishes (one mask). Batch 2: three sessions queued behind it, each with masks left after.
        stepper.Gate.Reset();
        var first = executor.Submit(Row("done", 1));
        await Eventually(() => stepper.Calls == 1);
        var second = new[] { "a", "b", "c" }.Select(s => executor.Submit(Row(s, 3))).ToArray();
        stepper.Gate.Set();
        await first;
        await Task.WhenAll(second);

        // They come back one by one (a slow session round trip): 50 ms apart when awaited; 300 ms apart otherwise, so
        // that a busy machine delaying the compute thread cannot merge them into one batch by accident.
        var third = new List<Task<StepReply>>();
        foreach (var s in new[] { "a", "b", "c" })
        {
            await Task.Delay(returnWaitMs > 0 ? 50 : 300);
            third.Add(executor.Submit(Row(s, 2)));
        }
        await Task.WhenAll(third);

        Assert.Equal(expectedCalls, stepper.Calls);
        Assert.Equal(3, stepper.Batches.ElementAt(1).Length);
        if (returnWaitMs > 0) Assert.Equal(3, stepper.Batches.Last().Length);
    }

    static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
