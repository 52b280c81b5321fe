using SeedGrains.Diffusion.Decoding;

namespace SeedGrains.Diffusion.Tests.Decoding;

public sealed class CommitSelectorTests
{
    static List<Candidate> Candidates(params float[] confidences) =>
        confidences.Select((c, i) => new Candidate(Position: i * 2, Token: 100 + i, Confidence: c, Entropy: 1 - c)).ToList();

    [Fact]
    public void ConfidenceCommitsEveryPositionAboveTheThreshold()
    {
        var chosen = CommitSelector.Select(Candidates(0.95f, 0.2f, 0.91f, 0.5f), new CommitPolicy(CommitRule.Confidence, Threshold: 0.9f), 10);
        Assert.Equal(new[] { 0, 4 }, chosen.Select(c => c.Position).Order());
    }

    [Fact]
    public void ConfidenceCommitsTheBestOneWhenNoneQualifies()
    {
        var chosen = CommitSelector.Select(Candidates(0.3f, 0.6f, 0.1f), new CommitPolicy(CommitRule.Confidence, Threshold: 0.9f), 10);
        Assert.Equal(2, Assert.Single(chosen).Position);
    }

    [Theory]
    [InlineData(10, 4, 3)]
    [InlineData(10, 1, 10)]
    [InlineData(3, 8, 1)]
    public void TopKSpreadsTheMasksOverTheStepsLeft(int masked, int stepsLeft, int expected)
    {
        var candidates = Candidates(Enumerable.Range(0, masked).Select(i => i / (float)masked).ToArray());
        var chosen = CommitSelector.Select(candidates, new CommitPolicy(CommitRule.TopK), stepsLeft);
        Assert.Equal(expected, chosen.Count);
        // The most confident ones.
        Assert.Equal(candidates.OrderByDescending(c => c.Confidence).Take(expected).Select(c => c.Position).Order(), chosen.Select(c => c.Position).Order());
    }

    [Fact]
    public void EntropyBoundedTakesLowEntropyFirstWithinTheBound()
    {
        // Entropies 0.05, 0.7, 0.1, 0.5 — bound 0.7 takes 0.05 + 0.1 + 0.5 = 0.65.
        var chosen = CommitSelector.Select(Candidates(0.95f, 0.3f, 0.9f, 0.5f), new CommitPolicy(CommitRule.EntropyBounded, EntropyBound: 0.7f), 10);
        Assert.Equal(new[] { 0, 4, 6 }, chosen.Select(c => c.Position).Order());
    }

    [Theory]
    [InlineData(CommitRule.Confidence)]
    [InlineData(CommitRule.TopK)]
    [InlineData(CommitRule.EntropyBounded)]
    public void EveryRuleCommitsAtLeastOneAndEverythingOnTheLastStep(CommitRule rule)
    {
        var policy = new CommitPolicy(rule, Threshold: 0.99f, EntropyBound: 0f);
        var candidates = Candidates(0.1f, 0.2f, 0.3f);
        Assert.NotEmpty(CommitSelector.Select(candidates, policy, 100));
        Assert.Equal(3, CommitSelector.Select(candidates, policy, 1).Count);
        Assert.Empty(CommitSelector.Select([], policy, 5));
    }

    [Fact]
    public void TiesAreBrokenByPositionSoTheChoiceIsDeterministic()
    {
        var candidates = new List<Candidate> { new(9, 1, 0.5f, 0.5f), new(3, 2, 0.5f, 0.5f), new(6, 3, 0.5f, 0.5f) };
        var chosen = CommitSelector.Select(candidates, new CommitPolicy(CommitRule.TopK), 3);
        Assert.Equal(3, Assert.Single(chosen).Position);
    }
}
