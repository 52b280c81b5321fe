using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Workers;

namespace SeedGrains.Grains.Sessions;

/// <summary>Configuration section <c>Sessions</c>.</summary>
public sealed class SessionOptions
{
    public const string Section = "Sessions";

    /// <summary>
    /// Mask budget rule: tokens of the replaced text + max(<see cref="MinExtraTokens"/>, ceil(<see cref="ExtraFraction"/> ×
    /// those tokens)). The defaults are the training and evaluation rule (SpanSampler.Budget): the models learned to end
    /// a region with at most that many pads, so a larger budget asks for text they were never taught to stop.
    /// </summary>
    public int MinExtraTokens { get; set; } = 4;

    public double ExtraFraction { get; set; } = 0.25;

    /// <summary>
    /// How much history a session keeps for rebasing edits and resuming event streams (in memory, not persisted): at
    /// least the last 1,000 versions or 10 minutes, whichever is more, capped at 50,000 changes / ~16 MiB.
    /// </summary>
    public ChangeLogLimits ChangeLog { get; set; } = ChangeLogLimits.Default;

    /// <summary>Largest mask budget of one region (also the upper bound of an explicit max_tokens).</summary>
    public int MaxRegionTokens { get; set; } = 1024;

    /// <summary>How long a session keeps retrying while every worker answers "busy" before it fails.</summary>
    public double BusyTimeoutSeconds { get; set; } = 30;

    /// <summary>How long a session keeps retrying while no worker is reachable (e.g. the registry refills after a silo died).</summary>
    public double UnavailableTimeoutSeconds { get; set; } = 30;

    /// <summary>How a step commits (the decoder's policy), the default of a request's <c>decoding.policy</c>: by default every
    /// masked position with p ≥ 0.9, at least one.</summary>
    public StepCommitRule CommitRule { get; set; } = StepCommitRule.Confidence;

    public float CommitThreshold { get; set; } = 0.9f;

    /// <summary>The entropy rule's bound (its summed entropy per step), the default of a request's <c>decoding.entropyBound</c>.</summary>
    public float EntropyBound { get; set; } = 1.0f;

    /// <summary>Semi-autoregressive block size of a region (0: the whole region), the default of <c>decoding.blockSize</c>.</summary>
    public int BlockSize { get; set; }

    /// <summary>Sampling temperature (0: argmax), the default of <c>decoding.temperature</c>.</summary>
    public float Temperature { get; set; }

    /// <summary>Largest step budget a request may ask for (<c>decoding.maxSteps</c>).</summary>
    public int MaxStepBudget { get; set; } = 1024;

    /// <summary>Highest sampling temperature a request may ask for (<c>decoding.temperature</c>).</summary>
    public float MaxTemperature { get; set; } = 2f;

    /// <summary>
    /// Steps a region may take to fill its masks (0: no budget), as `bench decode --max-steps` gives each span; the
    /// default of a request's <c>decoding.maxSteps</c>. The top-k rule spreads the masks it may commit evenly over the
    /// steps left; the last step of the budget commits every one of them, whatever the rule. Top-k with 2 is
    /// `bench decode`'s speed policy. A step counts for every region it may commit in, so regions that share a window
    /// and a decoding share their steps; a regenerated region starts at 0. The count is checkpointed with the region's
    /// tokens, so a resumed region goes on with the steps it had left at its last checkpoint.
    /// </summary>
    public int StepBudget { get; set; }

    /// <summary>
    /// A committed pad (or end) token ends its region: the masks after it become pads in the same step. Training puts
    /// pads only after the span, so the model would fill them one step at a time anyway.
    /// </summary>
    public bool PadEndsRegion { get; set; } = true;

    /// <summary>How long a transient (completion) session lingers after it settles, so its watchers read the end.</summary>
    public double TransientLingerSeconds { get; set; } = 5;

    /// <summary>
    /// Denoising progress is written every this many committing steps (0: no step-count trigger). Never every step:
    /// progress is recomputable, and a write per step would make PostgreSQL the bottleneck.
    /// </summary>
    public int CheckpointEverySteps { get; set; } = 16;

    /// <summary>…or when this many seconds passed since the session's last write (0: no time trigger), whichever comes first.</summary>
    public double CheckpointIntervalSeconds { get; set; } = 2;

    /// <summary>
    /// Period of the reminder a denoising session holds so that it resumes on a surviving silo after its own died, with
    /// nobody calling it: roughly the longest such a session waits (after the dead silo is detected). Raised to
    /// <c>ReminderOptions.MinimumReminderPeriod</c> (Orleans default 1 minute) when lower.
    /// </summary>
    public double ResumeReminderSeconds { get; set; } = 60;

    /// <summary>
    /// Sessions that are not denoising and were not updated for this many days are purged (state deleted) by the
    /// retention sweep of their tenant's session index. Fractions are allowed; 0 keeps sessions for ever.
    /// </summary>
    public double RetentionDays { get; set; } = 30;

    /// <summary>
    /// How often each tenant's session index runs the retention sweep (an Orleans reminder). Raised to
    /// <c>ReminderOptions.MinimumReminderPeriod</c> (Orleans default 1 minute) when lower.
    /// </summary>
    public double RetentionSweepMinutes { get; set; } = 60;
}
