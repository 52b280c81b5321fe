using Microsoft.Extensions.Logging;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// What follows once a session stops denoising (idle, cancelled, failed): the tenant slot goes back, usage is reported,
/// token caches are freed, and a transient (completion) session clears its state and leaves after a short linger. The
/// resume reminder is dropped only once the settled state is stored (until then a crash must still bring the session
/// back) and the slot is back (the reminder retries a release that failed).
/// </summary>
/// <param name="lingerThenLeave">Lets the activation go after the delay unless it denoises again by then.</param>
internal sealed class SessionSettler(TenantSlot slot, SessionUsageReporter usage, SessionCheckpointer checkpointer, SessionResumeReminder reminder,
    Action<TimeSpan> lingerThenLeave, SessionOptions options, ILogger logger, string key)
{
    public async Task Settle(DocumentCanvas? canvas, bool transient)
    {
        var released = await slot.Release();
        await usage.Report();
        canvas?.ReleaseTokenCaches();
        if (transient)
        {
            try { await checkpointer.Clear(); } // nothing of a transient session is meant to stay
            catch (Exception ex) { logger.LogWarning(ex, "Clearing transient session {Key} failed", key); }
        }
        if (!checkpointer.SettledUnsaved && released) await reminder.Drop();
        if (transient) lingerThenLeave(TimeSpan.FromSeconds(options.TransientLingerSeconds));
    }
}
