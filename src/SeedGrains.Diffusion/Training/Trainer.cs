using System.Diagnostics;
using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Training;

/// <summary>
/// The training loop for both objectives: AdamW, warm-up + cosine, gradient clipping, periodic checkpoints and
/// resume. Step s draws its rows from a Random seeded by (seed, s), so a resumed run replays the same data (with a
/// time budget, which steps fall in the edit stage depends on the clock).
/// </summary>
public sealed class Trainer : IDisposable
{
    public const string CheckpointFolder = "checkpoint";
    public const string BranchFolder = "branch";
    public const string OptimizerFile = "optimizer.bin";
    public const string StateFile = "state.json";

    readonly Qwen2Model model;
    readonly TrainingVocabulary vocab;
    readonly TokenFile corpus;
    readonly Device device;
    readonly string runDirectory;
    readonly TextWriter log;
    readonly AdamW optimizer;
    readonly LearningRateSchedule schedule;
    readonly DiffusionObjective diffusion;
    readonly AutoregressiveObjective autoregressive;

    public TrainingState State { get; }

    Trainer(Qwen2Model model, TrainingState state, TrainingVocabulary vocab, TokenFile corpus, Device device, string runDirectory, TextWriter log)
    {
        var o = state.Options;
        if (corpus.Count < o.SequenceLength + 2)
            throw new InvalidDataException($"the training corpus has {corpus.Count} tokens, fewer than one sequence of {o.SequenceLength}");
        this.model = model;
        State = state;
        this.vocab = vocab;
        this.corpus = corpus;
        this.device = device;
        this.runDirectory = runDirectory;
        this.log = log;
        optimizer = optim.AdamW(model.parameters(), lr: o.LearningRate, beta1: 0.9, beta2: 0.95, weight_decay: o.WeightDecay);
        schedule = new LearningRateSchedule(o.LearningRate, o.WarmupSteps, o.Steps);
        diffusion = new DiffusionObjective(vocab, o.SequenceLength, model.Config.Shifted);
        autoregressive = new AutoregressiveObjective(vocab, o.SequenceLength);
    }

    /// <summary>A fresh run on an initialised model.</summary>
    public static Trainer Start(Qwen2Model model, TrainingOptions options, TrainingVocabulary vocab, TokenFile corpus, Device device, string runDirectory, TextWriter log)
    {
        Directory.CreateDirectory(runDirectory);
        return new Trainer(model, new TrainingState { Options = options }, vocab, corpus, device, runDirectory, log);
    }

    /// <summary>Continues the run saved in <paramref name="runDirectory"/>/checkpoint.</summary>
    /// <remarks><paramref name="steps"/> and <paramref name="timeBudgetSeconds"/>, when given, replace the saved ones
    /// (to train a finished run for longer).</remarks>
    public static Trainer Resume(string runDirectory, TrainingVocabulary vocab, TokenFile corpus, Device device, TextWriter log, int? steps = null,
        double? timeBudgetSeconds = null)
    {
        var dir = Path.Combine(runDirectory, CheckpointFolder);
        if (!File.Exists(Path.Combine(dir, StateFile)))
            throw new FileNotFoundException($"nothing to resume: {dir} has no {StateFile}");
        var state = TrainingState.Load(Path.Combine(dir, StateFile));
        if (steps is int s) state = state with { Options = state.Options with { Steps = s } };
        if (timeBudgetSeconds is double budget) state = state with { Options = state.Options with { TimeBudgetSeconds = budget } };
        var model = Checkpoint.Load(dir, device);
        var trainer = new Trainer(model, state, vocab, corpus, device, runDirectory, log);
        trainer.optimizer.load_state_dict(Path.Combine(dir, OptimizerFile));
        return trainer;
    }

    public Qwen2Model Model => model;

    /// <summary>
    /// Runs until the configured step count, the time budget or <paramref name="stopAfterStep"/>, checkpointing on
    /// the way and at the end.
    /// </summary>
    /// <param name="onStep">Called after every step on the training thread (e.g. to draw a progress bar).</param>
    public void Run(int? stopAfterStep = null, Action<TrainingProgress>? onStep = null, CancellationToken cancellationToken = default)
    {
        var o = State.Options;
        int end = Math.Min(o.Steps, stopAfterStep ?? int.MaxValue);
        var clock = Stopwatch.StartNew();
        var sinceCheckpoint = Stopwatch.StartNew();
        double wallAtStart = State.WallSeconds, lossSum = 0;
        int lossCount = 0, stepsThisSession = 0;
        model.train();
        while (State.Step < end && !BudgetSpent && !cancellationToken.IsCancellationRequested)
        {
            double loss = TrainStep(State.Step);
            lossSum += loss; lossCount++; stepsThisSession++;
            State.Step++;
            State.TokensSeen += (long)o.BatchSize * o.SequenceLength;
            State.WallSeconds = wallAtStart + clock.Elapsed.TotalSeconds;
            if (State.WarmupEndSeconds is null && State.Step >= o.WarmupSteps) State.WarmupEndSeconds = State.WallSeconds;
            double tokensPerSecond = stepsThisSession * (double)o.BatchSize * o.SequenceLength / clock.Elapsed.TotalSeconds;
            double etaSeconds = (o.Steps - State.Step) * clock.Elapsed.TotalSeconds / stepsThisSession;
            if (o.TimeBudgetSeconds is double budget) etaSeconds = Math.Min(etaSeconds, Math.Max(0, budget - State.WallSeconds));
            onStep?.Invoke(new TrainingProgress(State.Step, end, loss, tokensPerSecond, etaSeconds));
            if (State.Step % o.LogEvery == 0 || State.Step == end || BudgetSpent)
            {
                double mean = lossSum / lossCount;
                State.LossHistory.Add(new LossPoint(State.Step, Math.Round(mean, 4)));
                bool edit = o.Objective == TrainingObjective.Diffusion && InEditStage(State.Step - 1);
                log.WriteLine($"step {State.Step}/{o.Steps} | loss {mean:F4} | lr {LearningRateAt(State.Step - 1):0.00e0} | {tokensPerSecond:N0} tok/s | {(edit ? "edit stage | " : "")}progress {Progress:P0} | elapsed {Format(TimeSpan.FromSeconds(State.WallSeconds))} | ETA {Format(TimeSpan.FromSeconds(etaSeconds))}");
                lossSum = 0; lossCount = 0;
            }
            if (o.BranchAtProgress is double branchAt && State.BranchStep is null && Progress >= branchAt)
                SaveBranch();
            if (sinceCheckpoint.Elapsed.TotalMinutes >= o.CheckpointMinutes)
            {
                SaveCheckpoint();
                sinceCheckpoint.Restart();
            }
        }
        if (BudgetSpent) log.WriteLine($"time budget spent: {State.WallSeconds:F1} of {o.TimeBudgetSeconds:F1} s, at step {State.Step}");
        SaveCheckpoint();
    }

    bool BudgetSpent => State.Options.TimeBudgetSeconds is double budget && State.WallSeconds >= budget;

    /// <summary>The share of the time budget after the warm-up that is spent (0 without a budget or during warm-up).</summary>
    double TimeProgress
    {
        get
        {
            if (State.Options.TimeBudgetSeconds is not double budget) return 0;
            if (BudgetSpent) return 1;
            if (State.WarmupEndSeconds is not double warm) return 0;
            return Math.Clamp((State.WallSeconds - warm) / Math.Max(1e-9, budget - warm), 0, 1);
        }
    }

    /// <summary>How far through its schedule the run is (steps or time, whichever is further).</summary>
    public double Progress => Math.Clamp(Math.Max((double)State.Step / State.Options.Steps, TimeProgress), 0, 1);

    /// <summary>The learning rate step <paramref name="step"/> runs (or ran) with, given the clock now.</summary>
    public double LearningRateAt(int step) => schedule.At(step, TimeProgress);

    /// <summary>
    /// The Seed edit stage: from <see cref="TrainingOptions.EditStageStart"/> on, or once the time budget is that
    /// far spent.
    /// </summary>
    bool InEditStage(int step) =>
        step >= State.Options.EditStageStart || TimeProgress >= 1 - State.Options.EditStageFraction;

    /// <summary>One optimisation step on the rows of step <paramref name="step"/>; returns the loss.</summary>
    double TrainStep(int step)
    {
        using var scope = NewDisposeScope();
        var loss = Loss(BuildRows(step));
        optimizer.zero_grad();
        loss.backward();
        nn.utils.clip_grad_norm_(model.parameters(), State.Options.GradientClip);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = LearningRateAt(step);
        optimizer.step();
        return loss.item<float>();
    }

    /// <summary>The objective on given rows without training (e.g. a fixed held-out set).</summary>
    public double Evaluate(TrainingRow[] rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        try { return Loss(rows).item<float>(); }
        finally { model.train(); }
    }

    /// <summary>Σ weight · cross-entropy over the rows, divided by the row count.</summary>
    Tensor Loss(TrainingRow[] rows)
    {
        var o = State.Options;
        int b = rows.Length, t = o.SequenceLength;
        var input = tensor(rows.SelectMany(r => r.Input).Select(x => (long)x).ToArray(), [b, t], dtype: int64, device: device);
        var target = tensor(rows.SelectMany(r => r.Target).Select(x => (long)x).ToArray(), [b * t], dtype: int64, device: device);
        var weight = tensor(rows.SelectMany(r => r.Weight).ToArray(), [b * t], dtype: float32, device: device);

        var mode = o.Objective == TrainingObjective.Diffusion ? AttentionMode.Bidirectional : AttentionMode.Causal;
        var hidden = model.ForwardHidden(input, mode).reshape(b * t, -1);
        // Only positions that carry loss go through the LM head (for diffusion rows that is about half).
        var carries = weight.gt(0).nonzero().squeeze(1);
        if (carries.shape[0] == 0) return hidden.sum() * 0; // at tiny t no row may hold a mask: a zero loss, still differentiable
        var logits = model.LmHead(hidden.index_select(0, PredictorsOf(carries))).to_type(float32);
        if (o.Objective == TrainingObjective.Diffusion)
        {
            using var minusInfinity = float.NegativeInfinity.ToScalar(); // explicit Scalar: see AttentionPlan
            logits = logits.index_fill(1, tensor(new long[] { vocab.Mask }, device: device), minusInfinity); // [MASK] is never a prediction
        }
        var ce = nn.functional.cross_entropy(logits, target.index_select(0, carries), reduction: nn.Reduction.None);
        return (ce * weight.index_select(0, carries)).sum() / b;
    }

    /// <summary>
    /// Where each loss-carrying position is predicted from: itself, or for a shifted diffusion model (Dream) the
    /// position before it. The objective never puts loss on a row's first position in that case.
    /// </summary>
    Tensor PredictorsOf(Tensor carries)
    {
        // The objective leaves position 0 without loss (DiffusionObjectiveTests), so carries - 1 stays inside its row.
        if (State.Options.Objective != TrainingObjective.Diffusion || !model.Config.Shifted) return carries;
        return carries - 1;
    }

    /// <summary>The rows of one step: random corpus windows, made into examples by the run's objective.</summary>
    public TrainingRow[] BuildRows(int step)
    {
        var o = State.Options;
        var rng = new Random(unchecked(o.Seed * 1_000_003 + step));
        bool editStage = InEditStage(step);
        int chunkLength = o.Objective == TrainingObjective.Diffusion ? diffusion.ChunkLength : autoregressive.ChunkLength;
        var chunk = new int[chunkLength];
        var rows = new TrainingRow[o.BatchSize];
        var levels = DiffusionObjective.StratifiedLevels(o.BatchSize, rng);
        for (int r = 0; r < rows.Length; r++)
        {
            corpus.Read(rng.NextInt64(corpus.Count - chunkLength + 1), chunk);
            rows[r] = o.Objective == TrainingObjective.Diffusion
                ? diffusion.Build(chunk, rng, editStage, levels[r])
                : autoregressive.Build(chunk, rng);
        }
        return rows;
    }

    /// <summary>The weights alone, in the HF layout, at the step the run's progress reached the branch point.</summary>
    void SaveBranch()
    {
        var dir = Path.Combine(runDirectory, BranchFolder);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Checkpoint.Save(model, dir);
        State.BranchStep = State.Step;
        log.WriteLine($"branch: step {State.Step} ({Progress:P0} of the schedule) → {dir}");
    }

    /// <summary>Model, optimizer and progress, written to a temporary folder and then swapped in.</summary>
    public void SaveCheckpoint()
    {
        var final = Path.Combine(runDirectory, CheckpointFolder);
        var tmp = final + ".saving";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        Checkpoint.Save(model, tmp);
        optimizer.save_state_dict(Path.Combine(tmp, OptimizerFile));
        State.Save(Path.Combine(tmp, StateFile));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(tmp, final);
        log.WriteLine($"checkpoint: step {State.Step} → {final}");
    }

    static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : $"{t.Minutes}m{t.Seconds:00}s";

    public void Dispose() => optimizer.Dispose();
}
