using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Errors;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The reminder a denoising session holds so that after its silo dies it is reactivated elsewhere and resumes. It is
/// registered before "denoising" is persisted and dropped once the settled state is. Null registry: the silo runs
/// without a reminder service (some tests), and sessions resume only on their next call.
/// </summary>
internal sealed class SessionResumeReminder(IResumeReminderRegistry? registry, ILogger logger, string key, string session)
{
    private IGrainReminder? _reminder;

    /// <summary>
    /// The reminder may exist although this activation did not register it (an earlier one did): dropping it must
    /// look it up. False only once it is known to be gone.
    /// </summary>
    public bool MayHold { get; set; }

    /// <summary>Registers the reminder unless held; a failure fails the request (nothing is acknowledged).</summary>
    public async Task Ensure()
    {
        if (_reminder is not null || registry is null) return;
        MayHold = true;
        try
        {
            _reminder = await registry.Register();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Registering the resume reminder of session {Key} failed", key);
            throw new StorageUnavailableException($"Session '{session}' could not register its resume reminder (the reminder store did not answer); nothing was changed. Retry later.");
        }
    }

    /// <summary>Best effort: a reminder that could not be dropped fires later and drops itself then.</summary>
    public async Task Drop()
    {
        if (!MayHold || registry is null) return;
        try
        {
            var reminder = _reminder ?? await registry.Find();
            if (reminder is not null) await registry.Unregister(reminder);
            _reminder = null;
            MayHold = false;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Dropping the resume reminder of session {Key} failed; it will drop itself when it fires", key);
        }
    }
}
