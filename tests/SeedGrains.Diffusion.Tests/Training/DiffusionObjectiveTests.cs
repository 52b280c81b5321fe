using SeedGrains.Diffusion.Training;

namespace SeedGrains.Diffusion.Tests.Training;

public sealed class DiffusionObjectiveTests
{
    readonly TrainingVocabulary vocab = ToyVocabulary.Create();

    [Fact]
    public void MaskedPositionsCarryInverseTWeightAndVisibleOnesNone()
    {
        var objective = new DiffusionObjective(vocab, 64);
        for (int seed = 0; seed < 50; seed++)
        {
            var row = objective.Build(ToyVocabulary.Chunk(64, seed), new Random(seed), editStage: false, t: 0.05 + seed / 60.0);
            Assert.Contains(vocab.Mask, row.Input);
            Assert.DoesNotContain(vocab.Mask, row.Target);
            for (int i = 0; i < 64; i++)
            {
                if (row.Input[i] == vocab.Mask) Assert.True(row.Weight[i] > 0);
                else
                {
                    Assert.Equal(0f, row.Weight[i]);
                    Assert.Equal(row.Target[i], row.Input[i]); // nothing visible is altered outside the edit stage
                }
            }
            // All masked positions of a row share one weight 1/(t·region) ≥ 1/region.
            var weights = row.Weight.Where(w => w > 0).Distinct().ToList();
            Assert.Single(weights);
        }
    }

    [Fact]
    public void AtTinyNoiseARowMayHoldNoMaskAndThenCarriesNoLoss()
    {
        var objective = new DiffusionObjective(vocab, 16);
        var row = objective.Build(ToyVocabulary.Chunk(16, 1), new Random(1), editStage: false, t: 1e-6);
        Assert.DoesNotContain(vocab.Mask, row.Input);
        Assert.All(row.Weight, w => Assert.Equal(0f, w));
    }

    [Fact]
    public void StratifiedLevelsSpreadEvenlyOverTheUnitInterval()
    {
        var levels = DiffusionObjective.StratifiedLevels(8, new Random(4)).Order().ToArray();
        Assert.All(levels, t => Assert.InRange(t, DiffusionObjective.Epsilon, 1));
        for (int i = 1; i < levels.Length; i++) Assert.Equal(1.0 / 8 * (1 - DiffusionObjective.Epsilon), levels[i] - levels[i - 1], 9);
    }

    [Fact]
    public void InfillRowsPutPadsRightAfterTheSpanAndOnlyInsideTheNoisedRegion()
    {
        var objective = new DiffusionObjective(vocab, 64);
        int rowsWithPads = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            var chunk = ToyVocabulary.Chunk(64, seed);
            var row = objective.Build(chunk, new Random(seed), editStage: false);
            int firstPad = Array.IndexOf(row.Target, vocab.Pad);
            if (firstPad < 0) continue;
            rowsWithPads++;
            int lastPad = Array.LastIndexOf(row.Target, vocab.Pad);
            Assert.All(row.Target[firstPad..(lastPad + 1)], t => Assert.Equal(vocab.Pad, t)); // one contiguous run
            Assert.Equal(chunk[..firstPad], row.Target[..firstPad]); // prefix + span unchanged
            // The text after the pads continues the original chunk.
            int resume = lastPad + 1;
            if (resume < 64) Assert.Equal(chunk[(resume - (lastPad - firstPad + 1))], row.Target[resume]);
        }
        Assert.InRange(rowsWithPads, 20, 200);
    }

    [Fact]
    public void EditStageCorruptsAtMostATenthAndPutsLossEverywhere()
    {
        var objective = new DiffusionObjective(vocab, 128);
        for (int seed = 0; seed < 50; seed++)
        {
            var row = objective.Build(ToyVocabulary.Chunk(128, seed), new Random(seed), editStage: true);
            Assert.All(row.Weight, w => Assert.True(w > 0));
            int changed = Enumerable.Range(0, 128).Count(i => row.Input[i] != vocab.Mask && row.Input[i] != row.Target[i]);
            // A shift edit moves up to 9 positions; the number of edits is ≤ 10 % of the length.
            Assert.True(changed <= 13 * 9, $"seed {seed}: {changed} visible positions differ");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AShiftedObjectiveNeverMasksOrWeighsTheFirstPosition(bool editStage)
    {
        // A shifted model predicts position i from i-1: position 0 has no predictor.
        var objective = new DiffusionObjective(vocab, 64, shifted: true);
        for (int seed = 0; seed < 100; seed++)
        {
            var row = objective.Build(ToyVocabulary.Chunk(64, seed), new Random(seed), editStage, t: 0.999);
            Assert.NotEqual(vocab.Mask, row.Input[0]);
            Assert.Equal(0f, row.Weight[0]);
            Assert.Contains(row.Weight.Skip(1), w => w > 0);
        }
        var plain = objective.BuildPlain(ToyVocabulary.Chunk(64, 1), new Random(1));
        Assert.Equal(0f, plain.Weight[0]);
    }

    [Fact]
    public void SameSeedSameRow()
    {
        var objective = new DiffusionObjective(vocab, 64);
        var chunk = ToyVocabulary.Chunk(64, 3);
        var a = objective.Build(chunk, new Random(7), editStage: true);
        var b = objective.Build(chunk, new Random(7), editStage: true);
        Assert.Equal(a.Input, b.Input);
        Assert.Equal(a.Target, b.Target);
        Assert.Equal(a.Weight, b.Weight);
    }
}
