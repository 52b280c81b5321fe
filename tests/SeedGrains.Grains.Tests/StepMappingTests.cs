using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Tests;

/// <summary>The wire policy and the decoder's policy map one to one, both ways (the service benchmark relies on it).</summary>
public sealed class StepMappingTests
{
    [Theory]
    [InlineData(CommitRule.Confidence)]
    [InlineData(CommitRule.TopK)]
    [InlineData(CommitRule.EntropyBounded)]
    public void EveryRuleRoundTrips(CommitRule rule)
    {
        var wire = new StepPolicy(rule.ToWire(), Threshold: 0.7f, EntropyBound: 2f, Temperature: 0.5f, TopP: 0.9f);
        Assert.Equal(new CommitPolicy(rule, 0.7f, 2f, 0.5f, 0.9f), wire.ToCommitPolicy());
    }

    [Fact]
    public void EveryWireRuleIsCovered() =>
        Assert.Equal(Enum.GetValues<CommitRule>().Length, Enum.GetValues<StepCommitRule>().Length);
}
