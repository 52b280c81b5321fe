using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

/// <summary>The reminder service in memory; <see cref="Fail"/> makes every call throw.</summary>
internal sealed class FakeResumeReminderRegistry : IResumeReminderRegistry
{
    public IGrainReminder? Stored { get; set; }

    public int Registered { get; private set; }

    public bool Fail { get; set; }

    public Task<IGrainReminder> Register()
    {
        if (Fail) throw new TimeoutException("reminder store down");
        Registered++;
        Stored = new FakeReminder();
        return Task.FromResult(Stored);
    }

    public Task<IGrainReminder?> Find() => Fail ? throw new TimeoutException("reminder store down") : Task.FromResult(Stored);

    public Task Unregister(IGrainReminder reminder)
    {
        if (Fail) throw new TimeoutException("reminder store down");
        if (ReferenceEquals(reminder, Stored)) Stored = null;
        return Task.CompletedTask;
    }
}
