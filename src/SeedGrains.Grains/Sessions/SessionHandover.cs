using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// A session passing between activations: an activation takes the stored state over (resuming denoising from the
/// last checkpoint), a leaving one saves what it has and reports usage, and the resume reminder's tick either keeps a denoising session
/// going or, once it has settled for good, drops itself.
/// </summary>
internal sealed class SessionHandover(
    SessionDocument document,
    SessionCheckpointer checkpointer,
    SessionResumeReminder reminder,
    TenantSlot slot,
    SessionUsageReporter usage,
    SessionWriter writer,
    SessionFlags flags,
    Func<SessionStateCodec> codec,
    DocumentLock documentLock,
    ILogger logger,
    string key)
{
    /// <summary>Loads the stored state; true when it was denoising (the caller starts the loop).</summary>
    public async Task<bool> Resume(SessionState saved, string silo)
    {
        (flags.Priority, flags.Transient, flags.Suspended) = (saved.Priority, saved.Transient, saved.Suspended);
        var canvas = codec().Restore(saved);
        if (canvas.Masked == 0)
        {
            canvas.ReleaseTokenCaches();
            document.Load(canvas, saved.Version, saved.Status, saved.Error, saved.GeneratedTokens);
            document.Render();
            return false;
        }
        // Steps after the last write may have shown versions up to Version + masks (each step commits ≥ 1 token).
        // Skip past them and record the jump, so no version number is ever reused for different text.
        document.Load(canvas, saved.Version + canvas.Masked + 1, SessionStatus.Denoising, saved.Error, saved.GeneratedTokens);
        reminder.MayHold = true; // persisted "denoising" ⇒ the reminder was registered first
        await checkpointer.Write(writer.Capture());
        try { await slot.Acquire(); }
        catch (QuotaExceededException ex) { logger.LogWarning(ex, "Session {Key} resumes over its tenant's quota", key); }
        if (logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("Session {Key} resumed denoising on {Silo} at version {Version} (checkpoint version {Saved}, {Masked} of {Budget} tokens still masked)",
                key, silo, document.Version, saved.Version, canvas.Masked, saved.Budgets.Sum());
        document.Render();
        return true;
    }

    /// <summary>The activation goes: it saves what it has (unless another activation owns the session now), then reports usage.</summary>
    public async Task Leave(bool duplicateActivation, CancellationToken cancellationToken)
    {
        // An activation that lost the session to another writes nothing: the owner's state stands.
        if (document.Exists && !checkpointer.OwnershipLost && !await SaveBeforeLeaving(duplicateActivation, cancellationToken)) return;
        // After the document is safe: a usage report is a grain call that may be slow while a silo shuts down, and the
        // deactivation's time must go to the checkpoint first.
        await usage.Report();
    }

    /// <summary>False when the deactivation ran out of time (the last checkpoint stands).</summary>
    private async Task<bool> SaveBeforeLeaving(bool duplicateActivation, CancellationToken cancellationToken)
    {
        // A settled result whose write failed would otherwise be regenerated (differently) by the next activation.
        if (checkpointer.SettledUnsaved)
        {
            await writer.WriteSettled();
            return true;
        }
        // Leaving while denoising — a graceful silo shutdown (rolling restart), or the runtime moving the activation for any
        // other reason — hands the session over: keep the progress since the last checkpoint. (A duplicate activation
        // being removed owns nothing to save.)
        if (duplicateActivation || !document.IsDenoising || checkpointer.StepsSinceWrite == 0) return true;
        return await documentLock.TryRun(() => checkpointer.Write(writer.Capture(), bestEffort: true), cancellationToken);
    }

    /// <summary>
    /// The resume reminder's tick (under the lock): its only job is to get the session activated (which resumes
    /// denoising). On a live activation it retries a settled state that could not be written, or drops itself once the
    /// session is no longer denoising.
    /// </summary>
    public async Task<ReminderOutcome> OnReminder()
    {
        if (document.Exists && document.IsDenoising) return ReminderOutcome.Denoise; // normally running already
        if (checkpointer.SettledUnsaved && !await writer.WriteSettled()) return ReminderOutcome.Retry;
        // Idempotent on the tenant: also frees a slot left taken by an activation that could not release it.
        slot.OweRelease();
        if (!await slot.Release()) return ReminderOutcome.Retry;
        reminder.MayHold = true;
        await reminder.Drop();
        return document.Exists ? ReminderOutcome.Dropped : ReminderOutcome.Leave; // no document: a reminder left by a create that was never written
    }
}
