using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Training;
using TorchSharp;

namespace SeedGrains.Diffusion.Tests.Training;

/// <summary>Tiny end-to-end runs of the training loop on a toy corpus (a repeating pattern a small model can learn).</summary>
public sealed class TrainerTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("sg-train-").FullName;
    readonly TrainingVocabulary vocab = ToyVocabulary.Create();

    public void Dispose() => Directory.Delete(dir, recursive: true);

    TokenFile ToyCorpus()
    {
        // Documents "11 12 13 … 30 \n" repeated: fully predictable from either side.
        var doc = Enumerable.Range(11, 20).Append(ToyVocabulary.Newline).ToArray();
        var path = Path.Combine(dir, "train.bin");
        TokenFile.Write(path, Enumerable.Repeat(doc, 200), vocab.End, vocab.VocabSize);
        return TokenFile.Open(path);
    }

    static Qwen2Model TinyModel(AttentionMode attention, bool shifted = false)
    {
        torch.manual_seed(0);
        // Heads of width 32: with narrower heads attention patterns take far longer to form.
        return new Qwen2Model(new ModelConfig(VocabSize: 64, HiddenSize: 64, NumLayers: 2, NumHeads: 2, NumKvHeads: 1,
            IntermediateSize: 64, TieWordEmbeddings: true, MaxPositions: 256, Attention: attention, Shifted: shifted));
    }

    static TrainingOptions Options(TrainingObjective objective, int steps) => new()
    {
        Objective = objective, SequenceLength = 32, BatchSize = 8, Steps = steps, LearningRate = 3e-3, WarmupSteps = 20,
        Seed = 3, CheckpointMinutes = 1000, LogEvery = 10,
    };

    [Theory]
    [InlineData(TrainingObjective.Diffusion, AttentionMode.Bidirectional, false)]
    [InlineData(TrainingObjective.Diffusion, AttentionMode.Bidirectional, true)]
    [InlineData(TrainingObjective.Autoregressive, AttentionMode.Causal, false)]
    public void ATinyRunDrivesTheLossDown(TrainingObjective objective, AttentionMode attention, bool shifted)
    {
        using var corpus = ToyCorpus();
        using var trainer = Trainer.Start(TinyModel(attention, shifted), Options(objective, 300), vocab, corpus, torch.CPU, dir, TextWriter.Null);
        // A fixed set of rows the run never trains on (steps past its end), so the comparison is not sampling noise.
        var heldOut = Enumerable.Range(10_000, 8).SelectMany(trainer.BuildRows).ToArray();
        double before = trainer.Evaluate(heldOut);
        trainer.Run();
        double after = trainer.Evaluate(heldOut);
        Assert.True(before > 2.0, $"initial loss {before}");
        Assert.True(after < 0.5 * before, $"held-out loss went {before} → {after}; history {string.Join(" ", trainer.State.LossHistory.Select(h => h.Loss))}");
        Assert.True(File.Exists(Path.Combine(dir, Trainer.CheckpointFolder, "model.safetensors")));
    }

    [Fact]
    public void ATimeBudgetEndsTheRunWithTheScheduleFinished_AndAResumeCanGiveItMoreTime()
    {
        using var corpus = ToyCorpus();
        var options = Options(TrainingObjective.Diffusion, steps: 50) with { TimeBudgetSeconds = 1e-6, EditStageFraction = 0.2 };
        using (var trainer = Trainer.Start(TinyModel(AttentionMode.Bidirectional), options, vocab, corpus, torch.CPU, dir, TextWriter.Null))
        {
            trainer.Run();
            Assert.Equal(1, trainer.State.Step); // the first step already spends a microsecond
            Assert.Equal(1.0, trainer.Progress);
            Assert.True(File.Exists(Path.Combine(dir, Trainer.CheckpointFolder, "model.safetensors")));
            // Spent: the learning rate is at the floor after the warm-up (a step-scheduled run of 50 is still at its peak)…
            Assert.Equal(3e-3 * 0.1, trainer.LearningRateAt(20), 12);
            using var reference = Trainer.Start(TinyModel(AttentionMode.Bidirectional), Options(TrainingObjective.Diffusion, steps: 50),
                vocab, corpus, torch.CPU, Path.Combine(dir, "ref"), TextWriter.Null);
            Assert.Equal(3e-3, reference.LearningRateAt(20), 12);
            // …and rows are built as in the edit stage: the rows a step-scheduled run makes there, not the ones before it.
            Assert.Equal(reference.BuildRows(45).Select(r => r.Input), trainer.BuildRows(45).Select(r => r.Input));
            Assert.NotEqual(reference.BuildRows(1).Select(r => r.Input), trainer.BuildRows(1).Select(r => r.Input));
        }

        using var resumed = Trainer.Resume(dir, vocab, corpus, torch.CPU, TextWriter.Null, timeBudgetSeconds: 1e9);
        Assert.Equal(1e9, resumed.State.Options.TimeBudgetSeconds);
        resumed.Run(stopAfterStep: 3);
        Assert.Equal(3, resumed.State.Step);
    }

    [Fact]
    public void TheStepCallbackRunsOncePerStepWithTheStepAndWhereThisRunStops()
    {
        using var corpus = ToyCorpus();
        var reports = new List<TrainingProgress>();
        using (var trainer = Trainer.Start(TinyModel(AttentionMode.Bidirectional), Options(TrainingObjective.Diffusion, 6), vocab, corpus, torch.CPU, dir, TextWriter.Null))
            trainer.Run(stopAfterStep: 4, onStep: reports.Add);
        Assert.Equal([1, 2, 3, 4], reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.Equal(4, r.StopAt));
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Loss) && r.Loss > 0, $"loss {r.Loss}"));
        Assert.All(reports, r => Assert.True(r.TokensPerSecond > 0 && r.EtaSeconds >= 0, $"{r}"));

        // A resumed run counts on from its checkpoint, to the end of the schedule.
        reports.Clear();
        using (var resumed = Trainer.Resume(dir, vocab, corpus, torch.CPU, TextWriter.Null))
            resumed.Run(onStep: reports.Add);
        Assert.Equal([5, 6], reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.Equal(6, r.StopAt));
        Assert.Equal(0, reports[^1].EtaSeconds);
    }

    [Fact]
    public void AStateWithAnInfiniteLossIsStillSavedAndReadBack()
    {
        var state = new TrainingState { Options = Options(TrainingObjective.Diffusion, 10), Step = 3 };
        state.LossHistory.Add(new LossPoint(1, double.PositiveInfinity));
        state.LossHistory.Add(new LossPoint(2, double.NaN));
        var path = Path.Combine(dir, "state.json");
        state.Save(path);
        var loaded = TrainingState.Load(path);
        Assert.Equal(3, loaded.Step);
        Assert.Equal(double.PositiveInfinity, loaded.LossHistory[0].Loss);
        Assert.True(double.IsNaN(loaded.LossHistory[1].Loss));
    }

    [Fact]
    public void TheBranchPointSavesTheWeightsOnceAtThatFractionOfTheSteps()
    {
        using var corpus = ToyCorpus();
        var options = Options(TrainingObjective.Autoregressive, steps: 10) with { BranchAtProgress = 0.6 };
        using var trainer = Trainer.Start(TinyModel(AttentionMode.Causal), options, vocab, corpus, torch.CPU, dir, TextWriter.Null);
        trainer.Run(stopAfterStep: 6);
        Assert.Equal(6, trainer.State.BranchStep);
        using var branch = SeedGrains.Diffusion.Checkpoints.Checkpoint.Load(Path.Combine(dir, Trainer.BranchFolder), torch.CPU);
        foreach (var (name, weight) in trainer.Model.state_dict())
            Assert.True(weight.allclose(branch.state_dict()[name], rtol: 0, atol: 0), name);
        trainer.Run(); // on to the end: the branch is not overwritten
        Assert.Equal(6, trainer.State.BranchStep);
        // The branch step is in the saved state: the GPU recipe reads it to give the diffusion run the steps left.
        Assert.Equal(6, TrainingState.Load(Path.Combine(dir, Trainer.CheckpointFolder, "state.json")).BranchStep);
    }

    [Fact]
    public void AShiftedModelsLossScoresEachMaskedTokenWithTheLogitsOfThePositionBefore()
    {
        using var corpus = ToyCorpus();
        var model = TinyModel(AttentionMode.Bidirectional, shifted: true);
        using var trainer = Trainer.Start(model, Options(TrainingObjective.Diffusion, 10), vocab, corpus, torch.CPU, dir, TextWriter.Null);
        var rows = trainer.BuildRows(0);

        // The same loss computed by hand from a full forward: Σ weight[i] · CE(logits[i-1], target[i]) / rows.
        double expected = 0;
        using (torch.no_grad())
        {
            model.eval();
            foreach (var row in rows)
            {
                var input = torch.tensor(row.Input.Select(x => (long)x).ToArray(), [1, row.Input.Length]);
                var logProbs = torch.nn.functional.log_softmax(
                    model.Forward(input, AttentionMode.Bidirectional).squeeze(0).index_fill(1, torch.tensor(new long[] { vocab.Mask }), float.NegativeInfinity), 1);
                for (int i = 1; i < row.Input.Length; i++)
                    if (row.Weight[i] > 0) expected -= row.Weight[i] * logProbs[i - 1, row.Target[i]].item<float>();
            }
        }
        Assert.Equal(expected / rows.Length, trainer.Evaluate(rows), 3);
    }

    [Fact]
    public void ResumingFromACheckpointGivesTheSameWeightsAsAnUninterruptedRun()
    {
        using var corpus = ToyCorpus();
        var straightDir = Path.Combine(dir, "straight");
        var resumedDir = Path.Combine(dir, "resumed");
        using (var straight = Trainer.Start(TinyModel(AttentionMode.Bidirectional), Options(TrainingObjective.Diffusion, 20), vocab, corpus, torch.CPU, straightDir, TextWriter.Null))
            straight.Run();
        using (var first = Trainer.Start(TinyModel(AttentionMode.Bidirectional), Options(TrainingObjective.Diffusion, 20), vocab, corpus, torch.CPU, resumedDir, TextWriter.Null))
            first.Run(stopAfterStep: 12);
        using (var resumed = Trainer.Resume(resumedDir, vocab, corpus, torch.CPU, TextWriter.Null))
        {
            Assert.Equal(12, resumed.State.Step);
            // The next step draws the same rows as the uninterrupted run's step 12 would.
            var rows = resumed.BuildRows(12);
            Assert.Equal(rows.Select(r => r.Input), ReplayRows(corpus, 12).Select(r => r.Input));
            resumed.Run();
        }
        var a = SeedGrains.Diffusion.Checkpoints.Checkpoint.Load(Path.Combine(straightDir, Trainer.CheckpointFolder), torch.CPU);
        var b = SeedGrains.Diffusion.Checkpoints.Checkpoint.Load(Path.Combine(resumedDir, Trainer.CheckpointFolder), torch.CPU);
        var bParams = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in a.named_parameters())
            Assert.True(p.allclose(bParams[name], rtol: 0, atol: 1e-6), $"{name} differs after resume");
    }

    TrainingRow[] ReplayRows(TokenFile corpus, int step)
    {
        using var t = Trainer.Start(TinyModel(AttentionMode.Bidirectional), Options(TrainingObjective.Diffusion, 20), vocab, corpus, torch.CPU, Path.Combine(dir, "replay"), TextWriter.Null);
        return t.BuildRows(step);
    }

    [Fact]
    public void ACorpusShorterThanOneSequenceIsAClearError()
    {
        var path = Path.Combine(dir, "small.bin");
        TokenFile.Write(path, [[11, 12, 13]], vocab.End, vocab.VocabSize);
        using var corpus = TokenFile.Open(path);
        var e = Assert.Throws<InvalidDataException>(() => Trainer.Start(TinyModel(AttentionMode.Bidirectional), Options(TrainingObjective.Diffusion, 5), vocab, corpus, torch.CPU, dir, TextWriter.Null));
        Assert.Contains("fewer than one sequence", e.Message);
    }
}
