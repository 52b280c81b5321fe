using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Devices;
using System.CommandLine;
using System.Text.Json;
using SeedGrains.Diffusion.Data;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Runtime;
using SeedGrains.Diffusion.Tokenization;
using SeedGrains.Diffusion.Training;
using TorchSharp;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains train`: corpus directories → deduplicated documents → train/validation token files (by file hash)
/// → a diffusion model or the AR baseline, with checkpoints in the run folder and `--resume`.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string[]>("--data") { Description = "Directory of source files (repeatable)", AllowMultipleArgumentsPerToken = true };
        var tokenizer = new Option<string>("--tokenizer") { Description = "Folder (or file) with tokenizer.json", Required = true };
        var output = new Option<string>("--out") { Description = "Run folder: token files, checkpoint/, train.log", Required = true };
        var objective = new Option<string>("--objective") { Description = "diffusion | ar", DefaultValueFactory = _ => "diffusion" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its checkpoint" };
        var steps = new Option<int>("--steps") { Description = "Total steps of the schedule (with --resume: only when given)", DefaultValueFactory = _ => 1000 };
        var stopAfter = new Option<int?>("--stop-after") { Description = "Stop (and checkpoint) after this step without changing the schedule" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 8 };
        var seqLen = new Option<int>("--seq-len") { DefaultValueFactory = _ => 512 };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => 1e-3 };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => 100 };
        var hidden = new Option<int>("--hidden") { DefaultValueFactory = _ => 256 };
        var layers = new Option<int>("--layers") { DefaultValueFactory = _ => 4 };
        var heads = new Option<int>("--heads") { DefaultValueFactory = _ => 4 };
        var kvHeads = new Option<int>("--kv-heads") { DefaultValueFactory = _ => 2 };
        var ffn = new Option<int>("--ffn") { DefaultValueFactory = _ => 704 };
        var checkpointMinutes = new Option<double>("--checkpoint-minutes") { DefaultValueFactory = _ => 5 };
        var maxBytes = new Option<long>("--max-bytes") { Description = "Stop reading the corpus after this many bytes (0 = all)" };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Skip (and count) files that are not valid UTF-8 instead of failing" };
        var init = new Option<string?>("--init") { Description = "Start from this checkpoint's weights and shape (e.g. adapt the AR baseline to diffusion, as Dream does) instead of a random model" };
        var shifted = new Option<bool>("--shifted") { Description = "Diffusion only: predict position i from i-1 (Dream's convention), so an AR checkpoint given by --init keeps what it knows" };
        var timeBudget = new Option<double?>("--time-budget-minutes") { Description = "End the run after this much training time (in all, with --resume: replaces the saved budget); after the warm-up the LR decay and the edit stage follow the time or the steps, whichever is further along" };
        var branchAt = new Option<double?>("--branch-at") { Description = "Save the weights to branch/ when the run is this far through its schedule (0-1): the start of a compute-matched diffusion run" };
        var threads = CliOptions.Threads();
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var command = new Command("train", "Train a diffusion model or the AR baseline on directories of source files.")
        {
            data, tokenizer, output, objective, resume, steps, stopAfter, batch, seqLen, lr, warmup, hidden, layers, heads, kvHeads, ffn,
            checkpointMinutes, maxBytes, skipInvalid, init, shifted, timeBudget, branchAt, threads, seed, device,
        };
        command.SetAction(p =>
        {
            CliOptions.ApplyThreads(p, threads);
            var dev = DeviceSelector.Select(p.GetValue(device)!, tensorFloat32: true);
            var runDir = p.GetValue(output)!;
            var tok = CodeTokenizer.Load(CliOptions.TokenizerFile(p.GetValue(tokenizer)!));
            Directory.CreateDirectory(runDir);
            using var logFile = new StreamWriter(Path.Combine(runDir, "train.log"), append: true) { AutoFlush = true };
            var log = new TeeWriter(ConsoleLog(), logFile);

            var trainPath = Path.Combine(runDir, "train.bin");
            if (File.Exists(trainPath))
                log.WriteLine($"using the token files already in {runDir} (delete train.bin to re-read the corpus)");
            else
                PrepareTokens(p.GetValue(data) ?? [], tok, runDir, p.GetValue(maxBytes), p.GetValue(skipInvalid), log);
            using var corpus = TokenFile.Open(trainPath);

            Trainer trainer;
            if (p.GetValue(resume))
            {
                if (p.GetResult(shifted) is { Implicit: false } || p.GetValue(init) is not null || p.GetValue(branchAt) is not null)
                    throw new ArgumentException("--resume continues the saved run as it was: --shifted, --init and --branch-at do not apply");
                trainer = Trainer.Resume(runDir, ModelBundle.VocabularyOf(tok, ReadVocabSize(runDir)), corpus, dev, log,
                    p.GetResult(steps) is { Implicit: false } ? p.GetValue(steps) : null,
                    BudgetSeconds(p.GetValue(timeBudget)));
                log.WriteLine($"resuming at step {trainer.State.Step}");
            }
            else
            {
                var vocab = ModelBundle.VocabularyOf(tok, tok.VocabularySize);
                bool ar = p.GetValue(objective) switch
                {
                    "diffusion" => false,
                    "ar" => true,
                    var other => throw new ArgumentException($"--objective must be diffusion or ar, not '{other}'"),
                };
                if (ar && p.GetValue(shifted)) throw new ArgumentException("--shifted applies to --objective diffusion only");
                var config = new ModelConfig(
                    VocabSize: tok.VocabularySize, HiddenSize: p.GetValue(hidden), NumLayers: p.GetValue(layers),
                    NumHeads: p.GetValue(heads), NumKvHeads: p.GetValue(kvHeads), IntermediateSize: p.GetValue(ffn),
                    MaxPositions: 2048, TieWordEmbeddings: true, MaskTokenId: vocab.Mask, PadTokenId: vocab.Pad,
                    EosTokenId: vocab.End, Attention: ar ? AttentionMode.Causal : AttentionMode.Bidirectional, Shifted: p.GetValue(shifted));
                torch.manual_seed(p.GetValue(seed));
                var model = p.GetValue(init) is { } initDir ? InitializedFrom(initDir, config, dev, log) : new Qwen2Model(config).to(dev);
                var options = new TrainingOptions
                {
                    Objective = ar ? TrainingObjective.Autoregressive : TrainingObjective.Diffusion,
                    SequenceLength = p.GetValue(seqLen), BatchSize = p.GetValue(batch), Steps = p.GetValue(steps),
                    LearningRate = p.GetValue(lr), WarmupSteps = p.GetValue(warmup), Seed = p.GetValue(seed),
                    CheckpointMinutes = p.GetValue(checkpointMinutes),
                    TimeBudgetSeconds = BudgetSeconds(p.GetValue(timeBudget)),
                    BranchAtProgress = p.GetValue(branchAt) is double at ? Fraction(at, "--branch-at") : null,
                };
                log.WriteLine($"model: {model.parameters().Sum(x => x.numel()):N0} parameters, {JsonSerializer.Serialize(options)}");
                trainer = Trainer.Start(model, options, vocab, corpus, dev, runDir, log);
            }
            using (trainer)
            {
                Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
                RunWithProgress(trainer, p.GetValue(stopAfter));
            }
            File.Copy(CliOptions.TokenizerFile(p.GetValue(tokenizer)!), Path.Combine(runDir, Trainer.CheckpointFolder, "tokenizer.json"), overwrite: true);
            log.WriteLine($"done: {Path.Combine(runDir, Trainer.CheckpointFolder)} holds config.json, model.safetensors and tokenizer.json");
            return 0;
        });
        return command;
    }

    static readonly CancellationTokenSource cancel = new();

    /// <summary>
    /// Where the run's log lines go besides train.log: stderr, or — when a live progress display shares the terminal
    /// with them — through Spectre.Console, which writes them above the bar instead of through it.
    /// </summary>
    static TextWriter ConsoleLog() =>
        CliProgress.ShownFor(json: false) && !Console.IsErrorRedirected ? new ConsoleLineWriter(Spectre.Console.AnsiConsole.Console) : Console.Error;

    /// <summary>Trains with a live "steps" line (loss, tokens/s in its description) when progress is shown.</summary>
    static void RunWithProgress(Trainer trainer, int? stopAfter) => CliProgress.Run(json: false, progress =>
    {
        CliProgressLine? steps = null;
        trainer.Run(stopAfter, s =>
        {
            steps ??= progress.Bar("steps", s.StopAt);
            steps.MoveTo(s.Step);
            steps.Describe(Describe(s));
        }, cancel.Token);
        return 0;
    });

    /// <summary>"steps · loss 5.4321 · 12,345 tok/s".</summary>
    internal static string Describe(TrainingProgress step) => $"steps · loss {step.Loss:F4} · {step.TokensPerSecond:N0} tok/s";

    /// <summary>A model with <paramref name="initDir"/>'s shape and weights, and this run's attention mode and special ids.</summary>
    static Qwen2Model InitializedFrom(string initDir, ModelConfig requested, torch.Device device, TextWriter log)
    {
        using var source = Checkpoint.Load(initDir, device);
        if (source.Config.Shifted && !requested.Shifted)
            throw new ArgumentException($"--init {initDir} is a shifted model: give --shifted to keep it so (its weights predict position i from i-1)");
        var config = source.Config with
        {
            Attention = requested.Attention, Shifted = requested.Shifted, MaskTokenId = requested.MaskTokenId, PadTokenId = requested.PadTokenId, EosTokenId = requested.EosTokenId,
        };
        if (config.VocabSize != requested.VocabSize)
            throw new ArgumentException($"--init {initDir} has vocabulary {config.VocabSize}, the tokenizer {requested.VocabSize}");
        var model = new Qwen2Model(config).to(device);
        model.load_state_dict(source.state_dict());
        log.WriteLine($"initialised from {initDir} ({source.Config.Attention} → {config.Attention}{(config.Shifted ? ", shifted" : "")}); the --hidden/--layers/... options are ignored");
        return model;
    }

    /// <summary>--time-budget-minutes in seconds (null: none).</summary>
    static double? BudgetSeconds(double? minutes) => minutes switch
    {
        null => null,
        > 0 and var m when double.IsFinite(m) => m * 60,
        var m => throw new ArgumentException($"--time-budget-minutes must be positive (got {m})"),
    };

    static double Fraction(double value, string name) =>
        value is > 0 and < 1 ? value : throw new ArgumentException($"{name} must be between 0 and 1 (got {value})");

    static int ReadVocabSize(string runDir) =>
        ModelConfig.Load(Path.Combine(runDir, Trainer.CheckpointFolder, "config.json")).VocabSize;

    /// <summary>Tokenizes the corpus into train.bin / val.bin and records what was read in data.json.</summary>
    static void PrepareTokens(string[] directories, CodeTokenizer tokenizer, string runDir, long maxBytes, bool skipInvalid, TextWriter log)
    {
        if (directories.Length == 0) throw new ArgumentException("--data is required for a new run");
        var corpus = new CodeCorpus(new CodeCorpusOptions { Directories = directories, MaxBytes = maxBytes > 0 ? maxBytes : null, SkipInvalid = skipInvalid });
        int end = tokenizer.SpecialTokenId("<|endoftext|>") ?? throw new InvalidDataException("tokenizer has no <|endoftext|>");
        long docs = 0;
        // Documents are read in order on one thread and tokenized on all cores; AsOrdered keeps the token file's
        // order (and so the run) the same whatever the core count.
        IEnumerable<int[]> Encode(IEnumerable<CodeDocument> documents) => documents
            .AsParallel().AsOrdered()
            .Select(d =>
            {
                long n = Interlocked.Increment(ref docs);
                if (n % 2000 == 0) lock (log) log.WriteLine($"tokenizing: {n} documents");
                return tokenizer.EncodeVerbatim(d.Text).Ids;
            });
        long train = TokenFile.Write(Path.Combine(runDir, "train.bin"), Encode(corpus.Documents(CorpusSplit.Train)), end, tokenizer.VocabularySize);
        long val = TokenFile.Write(Path.Combine(runDir, "val.bin"), Encode(corpus.Documents(CorpusSplit.Validation)), end, tokenizer.VocabularySize);
        var record = new { directories, corpus.Statistics, train_tokens = train, validation_tokens = val };
        File.WriteAllText(Path.Combine(runDir, "data.json"), JsonSerializer.Serialize(record, new JsonSerializerOptions { WriteIndented = true }));
        log.WriteLine($"corpus: {train:N0} training tokens, {val:N0} validation tokens → {runDir}");
    }
}
