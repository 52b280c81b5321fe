using SeedGrains.Diffusion.Training;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests;

public sealed class MaskBudgetTests
{
    [Fact]
    public void TheServiceDefaultIsTheRuleTheModelsWereTrainedWith()
    {
        var defaults = new SessionOptions();
        for (int replaced = 0; replaced <= 600; replaced++)
            Assert.Equal(SpanSampler.Budget(replaced), MaskBudget.For(replaced, defaults));
    }

    [Fact]
    public void AnExplicitRuleIsCappedByTheRegionLimit()
    {
        var options = new SessionOptions { MinExtraTokens = 8, ExtraFraction = 0.5, MaxRegionTokens = 50 };
        Assert.Equal(18, MaskBudget.For(10, options));
        Assert.Equal(50, MaskBudget.For(40, options));
    }
}
