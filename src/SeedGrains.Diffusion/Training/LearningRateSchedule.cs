namespace SeedGrains.Diffusion.Training;

/// <summary>Linear warm-up to the peak, then cosine decay to <c>peak × minRatio</c> at the last step.</summary>
public sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps, double MinRatio = 0.1)
{
    public double At(int step) => At(step, timeProgress: 0);

    /// <summary>
    /// The rate at <paramref name="step"/> when a time budget is <paramref name="timeProgress"/> spent: warm-up
    /// counts steps, the decay follows the step or the time, whichever is further along.
    /// </summary>
    public double At(int step, double timeProgress)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        double byStep = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Clamp(Math.Max(byStep, timeProgress), 0, 1);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return Peak * (MinRatio + (1 - MinRatio) * cosine);
    }
}
