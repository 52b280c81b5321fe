using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class SessionSettlerTests
{
    private readonly FakeSessionStateStore _store = new();
    private readonly FakeResumeReminderRegistry _reminders = new();
    private readonly List<long> _released = [];
    private readonly List<UsageDelta> _reported = [];
    private readonly List<TimeSpan> _lingers = [];
    private bool _tenantDown;
    private readonly SessionCheckpointer _checkpointer;
    private readonly SessionResumeReminder _reminder;
    private readonly TenantSlot _slot;
    private readonly SessionUsageReporter _usage;
    private readonly SessionSettler _settler;

    public SessionSettlerTests()
    {
        var options = new SessionOptions { TransientLingerSeconds = 3 };
        _checkpointer = new SessionCheckpointer(_store, options, new FakeTimeProvider(), NullLogger.Instance, "t/s", "s", () => { });
        _reminder = new SessionResumeReminder(_reminders, NullLogger.Instance, "t/s", "s");
        _slot = new TenantSlot(() => Task.CompletedTask, tokens => _tenantDown ? throw new TimeoutException("tenant down") : Add(_released, tokens),
            () => Task.FromResult(1), NullLogger.Instance, "t", "t/s");
        _usage = new SessionUsageReporter(delta => Add(_reported, delta), _ => Task.CompletedTask, NullLogger.Instance, "t/s");
        _settler = new SessionSettler(_slot, _usage, _checkpointer, _reminder, _lingers.Add, options, NullLogger.Instance, "t/s");
    }

    private static Task Add<T>(List<T> list, T item)
    {
        list.Add(item);
        return Task.CompletedTask;
    }

    private async Task Denoising()
    {
        await _slot.Acquire();
        await _reminder.Ensure();
        _usage.Meter.Step(5);
    }

    [Fact]
    public async Task A_settled_session_gives_its_slot_back_reports_usage_and_drops_its_reminder()
    {
        await Denoising();

        await _settler.Settle(canvas: null, transient: false);

        Assert.Single(_released);
        Assert.Single(_reported);
        Assert.Null(_reminders.Stored);
        Assert.Empty(_lingers);
    }

    [Fact]
    public async Task The_reminder_stays_while_the_settled_state_is_unsaved_or_the_slot_not_back()
    {
        await Denoising();
        _checkpointer.SettledUnsaved = true;
        await _settler.Settle(canvas: null, transient: false);
        Assert.NotNull(_reminders.Stored);

        _checkpointer.SettledUnsaved = false;
        await _slot.Acquire();
        _tenantDown = true;
        await _settler.Settle(canvas: null, transient: false);
        Assert.NotNull(_reminders.Stored);
        Assert.True(_slot.ReleasePending);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_transient_session_clears_its_state_and_lingers_before_it_leaves(bool clearFails)
    {
        await Denoising();
        await _checkpointer.Write(new SessionState { Exists = true, Version = 2 });
        if (clearFails) _store.Fail = new IOException("storage down");

        await _settler.Settle(canvas: null, transient: true);

        Assert.Equal(!clearFails, !_store.RecordExists);
        Assert.Equal([TimeSpan.FromSeconds(3)], _lingers);
        Assert.Null(_reminders.Stored);
    }
}
