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

    /// <summary>How a step commits (the decoder's policy): by default every masked position with p ≥ 0.9, at least one.</summary>
    public StepCommitRule CommitRule { get; set; } = StepCommitRule.Confidence;

    public float CommitThreshold { get; set; } = 0.9f;

    /// <summary>
    /// Steps a region may take to fill its masks (0: no budget), as `bench decode --max-steps` gives each span. The
    /// top-k rule spreads the window's masks evenly over the steps left; the last step of the budget commits every mask
    /// left in the window, whatever the rule. Top-k with 2 is `bench decode`'s speed policy. A step counts for every
    /// region with masks in its window, so regions that share a window share their steps; a regenerated region starts
    /// at 0, and so does every region after a new activation (the count is not persisted: a resumed region may take
    /// up to a budget more).
    /// </summary>
    public int StepBudget { get; set; }

    /// <summary>The steps a region still allows, this one included, after <paramref name="stepsTaken"/> spent on it.</summary>
    public int StepsLeft(int masked, int stepsTaken) => StepBudget > 0 ? Math.Max(1, StepBudget - stepsTaken) : Math.Max(1, masked);

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

    /// <summary>The policy every step of a session asks for.</summary>
    public StepPolicy Policy => StepPolicy.Default with { Rule = CommitRule, Threshold = CommitThreshold };
}
