using Orleans.Timers;

namespace SeedGrains.Grains.Sessions;

/// <summary><see cref="IResumeReminderRegistry"/> over Orleans' reminder service, for one grain.</summary>
internal sealed class GrainResumeReminderRegistry(IReminderRegistry registry, GrainId grain, TimeSpan period) : IResumeReminderRegistry
{
    public Task<IGrainReminder> Register() => registry.RegisterOrUpdateReminder(grain, SessionGrain.ResumeReminder, period, period);

    public async Task<IGrainReminder?> Find() => await registry.GetReminder(grain, SessionGrain.ResumeReminder);

    public Task Unregister(IGrainReminder reminder) => registry.UnregisterReminder(grain, reminder);
}
