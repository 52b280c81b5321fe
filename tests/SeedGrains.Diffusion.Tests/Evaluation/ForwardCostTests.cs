using SeedGrains.Diffusion.Evaluation;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Tests.Decoding;

namespace SeedGrains.Diffusion.Tests.Evaluation;

/// <summary>ForwardCost on tiny models: one step per width, in order, for both attentions, and clear errors. No timing assertions.</summary>
public sealed class ForwardCostTests
{
    [Theory]
    [InlineData(AttentionMode.Bidirectional)]
    [InlineData(AttentionMode.Causal)]
    public void MeasuresTheContextAndEveryWidthInOrder(AttentionMode attention)
    {
        using var model = TinyModels.Create(attention);

        var cost = ForwardCost.Measure(model, context: 40, widths: [1, 9, 3], repeats: 3);

        Assert.Equal(40, cost.Context);
        Assert.True(cost.ContextMs > 0);
        Assert.Equal([1, 9, 3], cost.Steps.Select(s => s.Width));
        Assert.All(cost.Steps, s => Assert.True(s.MedianMs > 0));
    }

    [Fact]
    public void RejectsWidthsAndContextsTheModelCannotTake()
    {
        using var model = TinyModels.Create(AttentionMode.Bidirectional);   // 512 positions

        Assert.Contains("every width must be at least 1", Assert.Throws<ArgumentException>(() => ForwardCost.Measure(model, 40, [4, 0], 1)).Message);
        Assert.Contains("context 500 + width 13 is more than the model's 512 positions",
            Assert.Throws<ArgumentException>(() => ForwardCost.Measure(model, 500, [1, 13], 1)).Message);
        Assert.Contains("the context must be at least 1", Assert.Throws<ArgumentException>(() => ForwardCost.Measure(model, 0, [1], 1)).Message);
        Assert.Contains("repeats must be at least 1", Assert.Throws<ArgumentException>(() => ForwardCost.Measure(model, 10, [1], 0)).Message);
    }
}
