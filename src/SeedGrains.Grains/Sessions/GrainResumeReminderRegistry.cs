using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Timers;

namespace SeedGrains.Grains.Sessions;

/// <summary><see cref="IResumeReminderRegistry"/> over Orleans' reminder service, for one grain.</summary>
internal sealed class GrainResumeReminderRegistry(IReminderRegistry registry, GrainId grain, TimeSpan period) : IResumeReminderRegistry
{
    /// <summary>Null where the silo runs without a reminder service (some tests): sessions then resume only on their next call.</summary>
    public static GrainResumeReminderRegistry? For(IServiceProvider services, GrainId grain, SessionOptions options)
    {
        if (services.GetService<IReminderRegistry>() is not { } registry) return null;
        var configured = TimeSpan.FromSeconds(options.ResumeReminderSeconds);
        var minimum = services.GetService<IOptions<ReminderOptions>>()?.Value.MinimumReminderPeriod ?? TimeSpan.Zero;
        return new GrainResumeReminderRegistry(registry, grain, configured > minimum ? configured : minimum);
    }

    public Task<IGrainReminder> Register() => registry.RegisterOrUpdateReminder(grain, SessionGrain.ResumeReminder, period, period);

    public async Task<IGrainReminder?> Find() => await registry.GetReminder(grain, SessionGrain.ResumeReminder);

    public Task Unregister(IGrainReminder reminder) => registry.UnregisterReminder(grain, reminder);
}
