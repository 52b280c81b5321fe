using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

internal sealed class FakeReminder : IGrainReminder
{
    public string ReminderName => SessionGrain.ResumeReminder;
}
