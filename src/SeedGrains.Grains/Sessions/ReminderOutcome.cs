namespace SeedGrains.Grains.Sessions;

/// <summary>What the grain does after a resume-reminder tick (<see cref="SessionHandover.OnReminder"/>).</summary>
internal enum ReminderOutcome
{
    /// <summary>Still denoising: make sure the loop runs.</summary>
    Denoise,

    /// <summary>Something could not be written or released: the reminder stays and retries.</summary>
    Retry,

    /// <summary>The reminder is dropped.</summary>
    Dropped,

    /// <summary>Dropped, and there is no session: let the activation go.</summary>
    Leave,
}
