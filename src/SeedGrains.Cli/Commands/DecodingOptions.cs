using System.CommandLine;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Evaluation;
using SeedGrains.Diffusion.Runtime;

namespace SeedGrains.Cli.Commands;

/// <summary>The diffusion decoding options of `eval` and `bench decode` (each with its own defaults), and the decoder they make.</summary>
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

    DecodingOptions(string why, string policy, int steps, int block)
    {
        rule = new("--policy") { Description = $"confidence | topk | entropy (default: {why})", DefaultValueFactory = _ => policy };
        maxSteps = new("--max-steps") { Description = $"Step budget per region (default: {why})", DefaultValueFactory = _ => steps };
        blockSize = new("--block-size") { Description = $"Semi-AR block size, 0 = the whole region (default: {why})", DefaultValueFactory = _ => block };
    }

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

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { rule, threshold, entropyBound, maxSteps, blockSize, noCache, remask, padEnds, handover, temperature, samplingSeed }) command.Options.Add(o);
    }

    public CommitPolicy Policy(ParseResult p)
    {
        if (!(p.GetValue(temperature) >= 0)) throw new ArgumentException($"--temperature must be 0 (argmax) or more, not {p.GetValue(temperature)}");
        return new(CliOptions.ParseCommitRule(p.GetValue(rule)!, "--policy"), Threshold: p.GetValue(threshold), EntropyBound: p.GetValue(entropyBound),
            Temperature: p.GetValue(temperature));
    }

    public InfillOptions Infill(ParseResult p)
    {
        if (p.GetValue(maxSteps) < 1) throw new ArgumentException($"--max-steps must be at least 1, not {p.GetValue(maxSteps)}");
        if (p.GetValue(blockSize) < 0) throw new ArgumentException($"--block-size must be 0 (the whole region) or more, not {p.GetValue(blockSize)}");
        return new(BlockSize: p.GetValue(blockSize), UseCache: !p.GetValue(noCache), MaxSteps: p.GetValue(maxSteps), RemaskBudget: p.GetValue(remask),
            PadEndsRegion: p.GetValue(padEnds), BlockHandover: p.GetValue(handover));
    }

    public string Describe(ParseResult p)
    {
        var parameter = p.GetValue(rule) switch
        {
            "confidence" => $" τ={p.GetValue(threshold)}",
            "entropy" => $" bound={p.GetValue(entropyBound)}",
            _ => "",
        };
        bool handsOver = p.GetValue(handover) && !p.GetValue(noCache) && p.GetValue(blockSize) > 0;
        var sampling = p.GetValue(temperature) > 0 ? $" temperature={p.GetValue(temperature)} sampling_seed={p.GetValue(samplingSeed)}" : "";
        return $"{p.GetValue(rule)}{parameter}{sampling} max_steps={p.GetValue(maxSteps)} block={p.GetValue(blockSize)} cache={!p.GetValue(noCache)} " +
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
