using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class StepRunnerTests
{
    private static readonly StepCall Call = new("t", "s", SessionPriority.Interactive, [1, 2], new StepPolicy(StepCommitRule.Confidence), 7, 1, 1);
    private readonly FakeTimeProvider _time = new();
    private Func<StepCall, CancellationToken, Task<StepReply>> _step = (_, _) => Task.FromResult(new StepReply([], 1));
    private bool _siloStopping;

    private StepRunner Runner() => new((c, ct) => _step(c, ct), () => _siloStopping,
        new StepBackoff(_time, new SessionOptions { BusyTimeoutSeconds = 1, UnavailableTimeoutSeconds = 1 }), NullLogger.Instance, "t/s");

    [Fact]
    public async Task A_reply_is_handed_on()
    {
        var reply = new StepReply([new StepCommit(0, 5, 1f)], 1);
        _step = (_, _) => Task.FromResult(reply);
        Assert.Same(reply, (await Runner().Run(Call, default)).Reply);
    }

    [Fact]
    public async Task A_busy_model_backs_off_then_fails_the_session_past_its_limit()
    {
        _step = (_, _) => throw new ModelBusyException("queue full");
        var runner = Runner();

        Assert.Same(StepOutcome.Skipped, await runner.Run(Call, default));
        Assert.False(runner.MayStep);
        _time.Advance(TimeSpan.FromSeconds(1.001));
        var outcome = await runner.Run(Call, default);

        Assert.Equal("The model stayed busy for 1 s: queue full", outcome.Failure);
    }

    [Fact]
    public async Task An_unreachable_cluster_backs_off_like_an_unavailable_model()
    {
        _step = (_, _) => throw new TimeoutException("no answer");
        var runner = Runner();
        Assert.Same(StepOutcome.Skipped, await runner.Run(Call, default));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("The model stayed unreachable for 1 s: no answer", (await runner.Run(Call, default)).Failure);
    }

    [Fact]
    public async Task Any_other_error_fails_the_session_with_its_message()
    {
        _step = (_, _) => throw new InvalidOperationException("weights are broken");
        Assert.Equal("weights are broken", (await Runner().Run(Call, default)).Failure);
    }

    [Fact]
    public async Task A_deactivation_or_a_stopping_silo_is_no_failure()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        _step = (_, ct) => Task.FromCanceled<StepReply>(ct);
        Assert.Same(StepOutcome.Skipped, await Runner().Run(Call, cancel.Token));

        _siloStopping = true;
        _step = (_, _) => throw new InvalidOperationException("silo shutting down");
        Assert.Same(StepOutcome.Skipped, await Runner().Run(Call, default));
    }
}
