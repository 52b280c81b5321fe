using SeedGrains.Diffusion.Training;

namespace SeedGrains.Diffusion.Tests.Training;

public sealed class AutoregressiveObjectiveTests
{
    readonly TrainingVocabulary vocab = ToyVocabulary.Create();

    [Fact]
    public void TargetsAreInputsShiftedByOne()
    {
        var objective = new AutoregressiveObjective(vocab, 32);
        for (int seed = 0; seed < 20; seed++)
        {
            var row = objective.Build(ToyVocabulary.Chunk(33, seed), new Random(seed));
            Assert.Equal(row.Input[1..], row.Target[..^1]);
            Assert.All(row.Weight, w => Assert.Equal(1f / 32, w));
        }
    }

    [Fact]
    public void FimRearrangesPrefixSuffixMiddleWithSentinelsAndLosesNothing()
    {
        var objective = new AutoregressiveObjective(vocab, 60);
        var window = ToyVocabulary.Chunk(40, 5);
        var fim = objective.FillInTheMiddle(window, new Random(1));
        Assert.Equal(44, fim.Length);
        int s = Array.IndexOf(fim, vocab.FimSuffix), m = Array.IndexOf(fim, vocab.FimMiddle);
        Assert.Equal(vocab.FimPrefix, fim[0]);
        Assert.True(0 < s && s < m);
        Assert.Equal(vocab.End, fim[^1]);
        var prefix = fim[1..s];
        var suffix = fim[(s + 1)..m];
        var middle = fim[(m + 1)..^1];
        Assert.NotEmpty(middle);
        Assert.Equal(window, prefix.Concat(middle).Concat(suffix).ToArray());
    }
}
