using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Model;
using TorchSharp;

namespace SeedGrains.Diffusion.Tests.Decoding;

public sealed class DenoiseStepperTests
{
    readonly DenoiseStepper stepper = new(TinyModels.Create(AttentionMode.Bidirectional), TinyModels.Specials, torch.CPU, maxWindow: 256);

    static DenoiseStepRequest Request(int length, int seed, CommitPolicy policy, params int[] masked)
    {
        var tokens = TinyModels.Tokens(length, seed);
        foreach (var m in masked) tokens[m] = TinyModels.Specials.Mask;
        return new DenoiseStepRequest(tokens, policy, Seed: (ulong)seed);
    }

    [Fact]
    public void CommitsOnlyMaskedPositionsAndAtLeastOne()
    {
        var request = Request(40, 1, new CommitPolicy(CommitRule.Confidence, Threshold: 0.999f), 5, 6, 7, 30);
        var commits = Assert.Single(stepper.Step([request])).Commits;
        Assert.NotEmpty(commits);
        Assert.All(commits, c => Assert.Equal(TinyModels.Specials.Mask, request.Tokens[c.Position]));
        Assert.All(commits, c => Assert.NotEqual(TinyModels.Specials.Mask, c.Token));
    }

    [Fact]
    public void BatchedRowsOfDifferentLengthsEqualOneAtATime()
    {
        var policy = new CommitPolicy(CommitRule.TopK);
        var requests = new[]
        {
            Request(40, 1, policy, 3, 4, 5, 6) with { StepsLeft = 2 },
            Request(17, 2, policy, 0, 16) with { StepsLeft = 1 },
            Request(64, 3, policy with { Temperature = 0.8f, TopP = 0.9f }, 10, 20, 30, 40, 50) with { StepsLeft = 3 },
        };
        var batched = stepper.Step(requests);
        for (int i = 0; i < requests.Length; i++)
        {
            var alone = Assert.Single(stepper.Step([requests[i]]));
            Assert.Equal(alone.Commits.Select(c => (c.Position, c.Token)), batched[i].Commits.Select(c => (c.Position, c.Token)));
            for (int k = 0; k < alone.Commits.Count; k++) Assert.Equal(alone.Commits[k].Confidence, batched[i].Commits[k].Confidence, 4);
        }
    }

    [Fact]
    public void SameSeedSameSampleAndRowsWithoutMasksGetNoCommits()
    {
        var policy = new CommitPolicy(CommitRule.TopK, Temperature: 1.5f);
        var r = Request(30, 9, policy, 1, 2, 3, 4, 5, 6) with { StepsLeft = 1 };
        var a = stepper.Step([r])[0].Commits.Select(c => c.Token).ToArray();
        var b = stepper.Step([r])[0].Commits.Select(c => c.Token).ToArray();
        Assert.Equal(a, b);
        Assert.Empty(stepper.Step([Request(10, 1, policy)])[0].Commits);
    }

    [Fact]
    public void RejectsRowsLongerThanTheWindow()
    {
        var e = Assert.Throws<ArgumentException>(() => stepper.Step([new DenoiseStepRequest(new int[300], CommitPolicy.Default)]));
        Assert.Contains("300", e.Message);
    }
}
