using SeedGrains.Diffusion.Training;

namespace SeedGrains.Diffusion.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void WarmsUpLinearlyThenDecaysToTheFloor()
    {
        var s = new LearningRateSchedule(1e-3, WarmupSteps: 10, TotalSteps: 110, MinRatio: 0.1);
        Assert.Equal(1e-4, s.At(0), 12);
        Assert.Equal(1e-3, s.At(9), 12);
        Assert.Equal(1e-3, s.At(10), 12);
        Assert.Equal(0.55e-3, s.At(60), 12);
        Assert.Equal(1e-4, s.At(110), 12);
        for (int i = 11; i < 110; i++) Assert.True(s.At(i) <= s.At(i - 1));
    }

    [Fact]
    public void ATimeBudgetDecaysTheRateWhenTimeIsFurtherAlongThanTheSteps()
    {
        var s = new LearningRateSchedule(1e-3, WarmupSteps: 10, TotalSteps: 1_000_010, MinRatio: 0.1);
        Assert.Equal(1e-4, s.At(0, timeProgress: 0.9), 12);      // warm-up counts steps whatever the clock says
        Assert.Equal(0.55e-3, s.At(20, timeProgress: 0.5), 12);  // half the time spent: half-way down the cosine
        Assert.Equal(1e-4, s.At(30, timeProgress: 1.0), 12);
    }
}
