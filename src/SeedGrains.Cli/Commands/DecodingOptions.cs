using System.CommandLine;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Evaluation;
using SeedGrains.Diffusion.Runtime;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// The diffusion decoding options of `eval` and `bench decode` (each with its own defaults), and the decoder they make.
/// A command may give one task other defaults for the policy options (<see cref="WithTaskDefaults"/>); an option the
/// user sets always wins.
/// </summary>
internal sealed class DecodingOptions
{
    readonly Option<string> rule;
    readonly Option<float> threshold = new("--threshold") { Description = "Confidence threshold τ", DefaultValueFactory = _ => 0.9f };
    readonly Option<float> entropyBound = new("--entropy-bound") { DefaultValueFactory = _ => 1.0f };
    readonly Option<int> maxSteps;
    readonly Option<int> blockSize;
    readonly Option<bool> noCache = new("--no-cache") { Description = "Recompute the whole canvas every step" };
    readonly Option<int> remask = new("--remask") { Description = "Refinement: how many low-confidence commits may be re-masked" };
    readonly Option<bool> padEnds = new("--pad-ends-region") { Description = "A committed pad/end token fills the rest of the region with pads at once (same output, fewer steps; '--pad-ends-region false' turns it off)", DefaultValueFactory = _ => true };

    readonly Option<float> temperature = new("--temperature") { Description = "Sampling temperature, 0 = argmax (a session's decoding.temperature)", DefaultValueFactory = _ => 0f };
    readonly Option<ulong> samplingSeed = new("--sampling-seed") { Description = "Seed of the sampling (with --temperature > 0): step n of a span samples with seed + n (a session's decoding.seed)", DefaultValueFactory = _ => 0UL };
    readonly Option<bool> handover = new("--block-handover") { Description = "At a block boundary, move the finished block into the cached context with a forward of its tokens instead of a full forward of the canvas (1.5× faster, as exact on the dev set; '--block-handover false' refreshes per block)", DefaultValueFactory = _ => true };

    // Other defaults for one value of a task option (e.g. `--task bodies`), or none.
    (Option<string> Option, string Value, PolicyDefaults Defaults)? taskDefaults;

    DecodingOptions(string why, string policy, int steps, int block)
    {
        rule = new("--policy") { Description = $"confidence | topk | entropy (default: {why})", DefaultValueFactory = _ => policy };
        maxSteps = new("--max-steps") { Description = $"Step budget per region (default: {why})", DefaultValueFactory = _ => steps };
        blockSize = new("--block-size") { Description = $"Semi-AR block size, 0 = the whole region (default: {why})", DefaultValueFactory = _ => block };
    }

    /// <summary>The defaults of the policy options for one task.</summary>
    public sealed record PolicyDefaults(string Rule, float Threshold, int MaxSteps, int BlockSize)
    {
        public override string ToString() => Rule == "confidence"
            ? $"confidence τ = {Threshold} in {(BlockSize == 0 ? "the whole region" : $"{BlockSize}-token blocks")}, {MaxSteps} steps"
            : $"{Rule}, {MaxSteps} steps, {(BlockSize == 0 ? "the whole region" : $"{BlockSize}-token blocks")}";
    }

    /// <summary>When <paramref name="task"/> is <paramref name="value"/>, the policy options the user did not set take these defaults.</summary>
    public DecodingOptions WithTaskDefaults(Option<string> task, string value, PolicyDefaults defaults)
    {
        taskDefaults = (task, value, defaults);
        foreach (var option in new Option[] { rule, threshold, maxSteps, blockSize })
            option.Description += $" (with {task.Name} {value} the default is {defaults})";
        return this;
    }

    /// <summary>The option's value: the user's, else the task's default, else the option's own.</summary>
    T Value<T>(ParseResult p, Option<T> option, Func<PolicyDefaults, T> fromTask) =>
        p.GetResult(option) is { Implicit: false } || taskDefaults is not { } t || p.GetValue(t.Option) != t.Value
            ? p.GetValue(option)!
            : fromTask(t.Defaults);

    /// <summary>
    /// `eval`'s defaults, chosen on the dev set for quality: confidence τ = 0.9 in 8-token blocks
    /// (models/diffusion/TRAINING.md).
    /// </summary>
    public static DecodingOptions ForQuality() => new("chosen on the dev set for quality", "confidence", 64, 8);

    /// <summary>
    /// `bench decode`'s defaults, the fastest policy on the dev set whose exact match is no lower than the quality
    /// defaults': top-k over the whole region in two steps (docs/benchmarks.md).
    /// </summary>
    public static DecodingOptions ForSpeed() => new("the dev set's fastest at no loss of exact match", "topk", 2, 0);

    /// <summary>
    /// `bench decode --task bodies`' defaults, the fastest policy on the dev set whose parse rate and edit similarity
    /// are no lower than the AR baseline's there: confidence τ = 0.5 in 32-token blocks, 64 steps (docs/benchmarks.md).
    /// </summary>
    public static PolicyDefaults BodiesForSpeed { get; } = new("confidence", 0.5f, 64, 32);

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { rule, threshold, entropyBound, maxSteps, blockSize, noCache, remask, padEnds, handover, temperature, samplingSeed }) command.Options.Add(o);
    }

    public CommitPolicy Policy(ParseResult p)
    {
        if (!(p.GetValue(temperature) >= 0)) throw new ArgumentException($"--temperature must be 0 (argmax) or more, not {p.GetValue(temperature)}");
        return new(CliOptions.ParseCommitRule(Value(p, rule, d => d.Rule), "--policy"), Threshold: Value(p, threshold, d => d.Threshold), EntropyBound: p.GetValue(entropyBound),
            Temperature: p.GetValue(temperature));
    }

    public InfillOptions Infill(ParseResult p)
    {
        int steps = Value(p, maxSteps, d => d.MaxSteps), block = Value(p, blockSize, d => d.BlockSize);
        if (steps < 1) throw new ArgumentException($"--max-steps must be at least 1, not {steps}");
        if (block < 0) throw new ArgumentException($"--block-size must be 0 (the whole region) or more, not {block}");
        return new(BlockSize: block, UseCache: !p.GetValue(noCache), MaxSteps: steps, RemaskBudget: p.GetValue(remask),
            PadEndsRegion: p.GetValue(padEnds), BlockHandover: p.GetValue(handover));
    }

    public string Describe(ParseResult p)
    {
        var policy = Value(p, rule, d => d.Rule);
        int steps = Value(p, maxSteps, d => d.MaxSteps), block = Value(p, blockSize, d => d.BlockSize);
        var parameter = policy switch
        {
            "confidence" => $" τ={Value(p, threshold, d => d.Threshold)}",
            "entropy" => $" bound={p.GetValue(entropyBound)}",
            _ => "",
        };
        bool handsOver = p.GetValue(handover) && !p.GetValue(noCache) && block > 0;
        var sampling = p.GetValue(temperature) > 0 ? $" temperature={p.GetValue(temperature)} sampling_seed={p.GetValue(samplingSeed)}" : "";
        return $"{policy}{parameter}{sampling} max_steps={steps} block={block} cache={!p.GetValue(noCache)} " +
               $"remask={p.GetValue(remask)}{(p.GetValue(padEnds) ? " pad_ends_region" : "")}{(handsOver ? " block_handover" : "")}";
    }

    /// <summary>The infill decoder for a model: FIM greedy for the AR baseline, the diffusion decoder otherwise.</summary>
    public InfillDecode DecoderFor(ModelBundle bundle, ParseResult p)
    {
        if (bundle.IsAutoregressive)
        {
            var ar = new ArInfillDecoder(bundle.Model, bundle.Vocabulary, bundle.Device);
            return (prefix, suffix, budget) => ar.Decode(prefix, suffix, budget);
        }
        var decoder = new InfillDecoder(bundle.Model, bundle.Specials, bundle.Device);
        var policy = Policy(p);
        var infill = Infill(p);
        var sampleSeed = p.GetValue(samplingSeed);
        return (prefix, suffix, budget) => decoder.Decode(prefix, suffix, budget, policy, infill, sampleSeed);
    }
}
