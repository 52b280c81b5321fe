namespace SeedGrains.Diffusion.Training;

/// <summary>Linear warm-up to the peak, then cosine decay to <c>peak × minRatio</c> at the last step.</summary>
public sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps, double MinRatio = 0.1)
{
    public double At(int step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        double progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps), 0, 1);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return Peak * (MinRatio + (1 - MinRatio) * cosine);
    }
}
