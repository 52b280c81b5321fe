using Microsoft.Extensions.Logging.Abstractions;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class SessionResumeReminderTests
{
    private readonly FakeResumeReminderRegistry _registry = new();

    private SessionResumeReminder Reminder(IResumeReminderRegistry? registry) => new(registry, NullLogger.Instance, "t/s", "s");

    [Fact]
    public async Task It_is_registered_once_and_dropped_once_settled()
    {
        var reminder = Reminder(_registry);
        await reminder.Ensure();
        await reminder.Ensure();
        Assert.Equal(1, _registry.Registered);
        Assert.True(reminder.MayHold);

        await reminder.Drop();

        Assert.Null(_registry.Stored);
        Assert.False(reminder.MayHold);
    }

    [Fact]
    public async Task A_reminder_that_cannot_be_registered_fails_the_request()
    {
        _registry.Fail = true;
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Reminder(_registry).Ensure());
    }

    [Fact]
    public async Task One_registered_by_an_earlier_activation_is_looked_up_only_when_it_may_be_held()
    {
        _registry.Stored = new FakeReminder();
        var reminder = Reminder(_registry);

        await reminder.Drop(); // nothing says this activation may hold one
        Assert.NotNull(_registry.Stored);

        reminder.MayHold = true;
        await reminder.Drop();
        Assert.Null(_registry.Stored);
    }

    [Fact]
    public async Task A_failed_drop_is_kept_for_later()
    {
        var reminder = Reminder(_registry);
        await reminder.Ensure();
        _registry.Fail = true;

        await reminder.Drop();

        Assert.True(reminder.MayHold);
        _registry.Fail = false;
        await reminder.Drop();
        Assert.Null(_registry.Stored);
        Assert.False(reminder.MayHold);
    }

    [Fact]
    public async Task Without_a_reminder_service_it_does_nothing()
    {
        var reminder = Reminder(null);
        await reminder.Ensure();
        await reminder.Drop();
        Assert.False(reminder.MayHold);
    }
}
