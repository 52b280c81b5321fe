using Microsoft.Extensions.Options;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Usage;

/// <summary>
/// Hourly usage of one tenant (key <see cref="Abstractions.Tenants.TenantGrainKeys.Usage"/>). One activation in the
/// cluster, so reports from every silo add up exactly; each report is written before it is acknowledged (reporters
/// batch, so this is not a write per model step). Hours older than <see cref="UsageOptions.RetentionDays"/> are dropped.
/// </summary>
public sealed class TenantUsageGrain(
    [PersistentState("usage", StorageNames.Tenants)] IPersistentState<UsageState> state,
    SeedGrainsClock clock,
    IOptions<UsageOptions> options) : Grain, ITenantUsageGrain
{
    public async Task Record(UsageDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (delta.IsEmpty()) return;
        var hour = HourOf(clock.Time.GetUtcNow());
        if (!state.State.Hours.TryGetValue(hour.UtcTicks, out var counters))
        {
            counters = new UsageCounters();
            state.State.Hours.Add(hour.UtcTicks, counters);
        }
        counters.Add(delta);
        Prune(hour);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<UsageHour>> Get(DateTimeOffset from, DateTimeOffset to)
    {
        // An hour belongs to the range when it overlaps it: [10:30, 11:00) still shows the 10:00 hour.
        var first = HourOf(from).UtcTicks;
        IReadOnlyList<UsageHour> hours = state.State.Hours
            .Where(h => h.Key >= first && h.Key < to.UtcTicks)
            .Select(h => h.Value.ToHour(new DateTimeOffset(h.Key, TimeSpan.Zero)))
            .ToList();
        return Task.FromResult(hours);
    }

    public async Task Erase()
    {
        await state.ClearStateAsync();
        state.State = new UsageState();
        DeactivateOnIdle();
    }

    /// <summary>The start (UTC) of the hour holding <paramref name="time"/>.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    private void Prune(DateTimeOffset now)
    {
        var oldest = (now - TimeSpan.FromDays(Math.Max(1, options.Value.RetentionDays))).UtcTicks;
        foreach (var old in state.State.Hours.Keys.TakeWhile(k => k < oldest).ToList())
            state.State.Hours.Remove(old);
    }
}
