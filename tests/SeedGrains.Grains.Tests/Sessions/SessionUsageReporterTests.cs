using Microsoft.Extensions.Logging.Abstractions;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class SessionUsageReporterTests
{
    private readonly List<UsageDelta> _recorded = [];
    private readonly List<long> _charged = [];
    private bool _usageDown;

    private SessionUsageReporter Reporter() => new(
        delta => _usageDown ? throw new TimeoutException("usage grain down") : Add(_recorded, delta),
        tokens => Add(_charged, tokens), NullLogger.Instance, "t/s");

    private static Task Add<T>(List<T> list, T item)
    {
        list.Add(item);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_undelivered_report_goes_with_the_next_one_and_only_generated_tokens_are_charged()
    {
        var reporter = Reporter();
        await reporter.Report();
        Assert.Empty(_recorded); // nothing counted: no call

        reporter.Meter.Created();
        _usageDown = true;
        await reporter.Report();
        Assert.Empty(_charged);

        _usageDown = false;
        reporter.Meter.Step(10);
        reporter.Meter.Committed(3);
        await reporter.Report();

        var delta = Assert.Single(_recorded);
        Assert.Equal((1L, 1L, 3L, 10L), (delta.SessionsCreated, delta.Steps, delta.GeneratedTokens, delta.PromptTokens));
        Assert.Equal([3L], _charged);
    }
}
