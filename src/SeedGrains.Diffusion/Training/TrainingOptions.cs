namespace SeedGrains.Diffusion.Training;

public enum TrainingObjective { Diffusion, Autoregressive }

/// <summary>Everything that determines a training run (saved with each checkpoint so --resume continues it exactly).</summary>
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
    /// Wall-clock budget (null: none). The run ends at whichever comes first, <see cref="Steps"/> or the budget, and
    /// the cosine decay and the edit stage follow whichever is further along — so a run on a device of unknown speed
    /// still finishes its schedule in the time it was given.
    /// </summary>
    public double? TimeBudgetSeconds { get; init; }
    /// <summary>
    /// Save the weights (no optimizer) once, the first time progress reaches this fraction, to branch/ — the
    /// point a compute-matched diffusion run starts from while the AR baseline trains on.
    /// </summary>
    public double? BranchAtProgress { get; init; }

    /// <summary>How far through its schedule the run is after <paramref name="step"/> steps and <paramref name="wallSeconds"/>.</summary>
    public double Progress(int step, double wallSeconds) =>
        Math.Clamp(Math.Max((double)step / Steps, TimeBudgetSeconds is double budget ? wallSeconds / budget : 0), 0, 1);

    public int EditStageStart => (int)Math.Round(Steps * (1 - EditStageFraction));
}
