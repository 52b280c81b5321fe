using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Timers;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The sessions one tenant owns (key <c>tenant/~sessions</c>). Session grains keep it: an entry on create, on every
/// edit and whenever a session settles or changes status — not on every denoising step, so a listed version is the
/// last one recorded, not necessarily the current one. Listing, counting and the retention sweep read it and never
/// activate a session.
/// Cost: the whole index is one stored row, so a write serialises every entry (about 100 bytes each: ~1 MB at 10,000
/// sessions). Writes are grouped: changes that arrive while a write is running share the next one, so a burst of
/// session changes costs a few writes rather than one each.
/// Reentrant: the retention sweep awaits session grains, which call back in to remove their entries.
/// </summary>
[Reentrant]
public sealed class SessionIndexGrain(
    [PersistentState("index", StorageNames.Sessions)] IPersistentState<SessionIndexState> state,
    SeedGrainsClock clock,
    IOptions<SessionOptions> options,
    ILogger<SessionIndexGrain> logger) : Grain, ISessionIndexGrain, IRemindable
{
    /// <summary>Name of the reminder that runs the retention sweep while the index holds entries.</summary>
    public const string SweepReminder = "retention-sweep";

    private readonly SessionOptions _options = options.Value;
    private readonly SortedSet<SessionSummary> _ordered = new(SessionIndexOrder.Instance);
    private readonly SessionIndexWriter _writer = new(() => state.WriteStateAsync());
    private string _tenant = "";
    private bool _sweepScheduled;
    private bool _sweeping;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _tenant = key[..key.IndexOf('/', StringComparison.Ordinal)];
        foreach (var entry in state.State.Entries.Values) _ordered.Add(entry);
        if (_ordered.Count > 0) await ScheduleSweep();
    }

    public async Task Upsert(SessionSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var entries = state.State.Entries;
        if (entries.TryGetValue(summary.Id, out var existing))
        {
            _ordered.Remove(existing);
            summary = summary with { Created = existing.Created };
        }
        entries[summary.Id] = summary;
        _ordered.Add(summary);
        await _writer.Save();
        await ScheduleSweep();
    }

    public async Task Remove(string sessionId)
    {
        if (!state.State.Entries.Remove(sessionId, out var existing)) return;
        _ordered.Remove(existing);
        await _writer.Save();
    }

    public Task<int> Count() => Task.FromResult(state.State.Entries.Count);

    public Task<SessionPage> List(SessionStatus? status, int limit, string? cursor)
    {
        if (limit < 1) throw new InvalidSessionRequestException("limit must be at least 1.");
        IEnumerable<SessionSummary> after = _ordered;
        if (!string.IsNullOrEmpty(cursor))
        {
            var position = SessionIndexCursor.Parse(cursor);
            after = _ordered.Count > 0 && SessionIndexOrder.Instance.Compare(position, _ordered.Max) < 0
                ? _ordered.GetViewBetween(position, _ordered.Max!).Where(e => SessionIndexOrder.Instance.Compare(e, position) > 0)
                : [];
        }
        var page = after.Where(e => status is null || e.Status == status).Take(limit + 1).ToList();
        var more = page.Count > limit;
        if (more) page.RemoveAt(limit);
        return Task.FromResult(new SessionPage(page, more ? SessionIndexCursor.Of(page[^1]) : null));
    }

    public async Task<int> SweepExpired()
    {
        if (_options.RetentionDays <= 0 || _sweeping) return 0;
        _sweeping = true;
        try
        {
            var cutoff = clock.UtcNow - TimeSpan.FromDays(_options.RetentionDays);
            var purged = 0;
            foreach (var id in Expired(cutoff).ToList())
            {
                // Look again: the session may have been edited while earlier ones were purged.
                if (!state.State.Entries.TryGetValue(id, out var entry) || !IsExpired(entry, cutoff)) continue;
                try
                {
                    await GrainFactory.GetGrain<ISessionGrain>(SessionKey.Of(_tenant, id)).Purge();
                    purged++;
                }
                catch (SessionNotFoundException)
                {
                    // Its state is gone already (e.g. purged by the client while its entry was being written).
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Retention: purging session {Tenant}/{Session} failed; the next sweep retries it", _tenant, id);
                    continue;
                }
                await Remove(id); // normally removed by the session already; a no-op then
            }
            if (purged > 0 && logger.IsEnabled(LogLevel.Information))
                logger.LogInformation("Retention: purged {Count} sessions of tenant {Tenant} idle since before {Cutoff:o}", purged, _tenant, cutoff);
            return purged;
        }
        finally
        {
            _sweeping = false;
        }
    }

    public async Task Erase()
    {
        state.State.Entries.Clear();
        _ordered.Clear();
        await _writer.Idle();
        await state.ClearStateAsync();
        await DropSweep();
        DeactivateOnIdle();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != SweepReminder) return;
        _sweepScheduled = true;
        await SweepExpired();
        if (state.State.Entries.Count == 0) await DropSweep();
    }

    private IEnumerable<string> Expired(DateTime cutoff) =>
        state.State.Entries.Values.Where(e => IsExpired(e, cutoff)).Select(e => e.Id);

    private static bool IsExpired(SessionSummary entry, DateTime cutoff) =>
        entry.Status != SessionStatus.Denoising && entry.Updated.UtcDateTime < cutoff;

    /// <summary>Best effort: without the reminder (e.g. no reminder service) the sweep runs only when called.</summary>
    private async Task ScheduleSweep()
    {
        if (_sweepScheduled || _options.RetentionDays <= 0 || Reminders is not { } registry) return;
        _sweepScheduled = true;
        try
        {
            await registry.RegisterOrUpdateReminder(this.GetGrainId(), SweepReminder, SweepPeriod, SweepPeriod);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _sweepScheduled = false;
            logger.LogWarning(ex, "Registering the retention sweep of tenant {Tenant} failed; the next change retries it", _tenant);
        }
    }

    private async Task DropSweep()
    {
        if (Reminders is not { } registry) return;
        try
        {
            var reminder = await registry.GetReminder(this.GetGrainId(), SweepReminder);
            if (reminder is not null) await registry.UnregisterReminder(this.GetGrainId(), reminder);
            _sweepScheduled = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Dropping the retention sweep of tenant {Tenant} failed; it drops itself when it fires on an empty index", _tenant);
        }
    }

    private IReminderRegistry? Reminders => ServiceProvider.GetService<IReminderRegistry>();

    private TimeSpan SweepPeriod
    {
        get
        {
            var configured = TimeSpan.FromMinutes(_options.RetentionSweepMinutes);
            var minimum = ServiceProvider.GetService<IOptions<ReminderOptions>>()?.Value.MinimumReminderPeriod ?? TimeSpan.Zero;
            return configured > minimum ? configured : minimum;
        }
    }
}
