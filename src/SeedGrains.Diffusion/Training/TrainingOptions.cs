namespace SeedGrains.Diffusion.Training;

public enum TrainingObjective { Diffusion, Autoregressive }

/// <summary>
/// Everything that determines a training run, saved with each checkpoint so --resume continues it. Without a time
/// budget a resumed run is the uninterrupted one; with one, the decay and the edit stage follow the clock too.
/// </summary>
public sealed record TrainingOptions
{
    public TrainingObjective Objective { get; init; } = TrainingObjective.Diffusion;
    public int SequenceLength { get; init; } = 512;
    public int BatchSize { get; init; } = 8;
    public int Steps { get; init; } = 1000;
    public double LearningRate { get; init; } = 1e-3;
    public int WarmupSteps { get; init; } = 100;
    public double WeightDecay { get; init; } = 0.1;
    public double GradientClip { get; init; } = 1.0;
    /// <summary>The last fraction of steps that add edit-based corruption (Seed Diffusion's second stage).</summary>
    public double EditStageFraction { get; init; } = 0.2;
    public int Seed { get; init; } = 1;
    public double CheckpointMinutes { get; init; } = 5;
    public int LogEvery { get; init; } = 10;
    /// <summary>
    /// Wall-clock budget of training steps (null: none). The run ends at whichever comes first, <see cref="Steps"/> or
    /// the budget; after the warm-up, the cosine decay and the edit stage follow the steps or the time left after the
    /// warm-up, whichever is further along — so a run on a device of unknown speed still finishes its schedule in the
    /// time it was given.
    /// </summary>
    public double? TimeBudgetSeconds { get; init; }
    /// <summary>
    /// Save the weights (no optimizer) once, the first time progress reaches this fraction, to branch/ — the
    /// point a compute-matched diffusion run starts from while the AR baseline trains on.
    /// </summary>
    public double? BranchAtProgress { get; init; }

    public int EditStageStart => (int)Math.Round(Steps * (1 - EditStageFraction));
}
