namespace SeedGrains.Grains.Sessions;

/// <summary>The session's own resume reminder in the reminder service (or a fake in tests).</summary>
internal interface IResumeReminderRegistry
{
    Task<IGrainReminder> Register();

    /// <summary>The reminder as stored, if any (one registered by an earlier activation included).</summary>
    Task<IGrainReminder?> Find();

    Task Unregister(IGrainReminder reminder);
}
