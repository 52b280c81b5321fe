using System.CommandLine;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Evaluation;
using SeedGrains.Diffusion.Runtime;

namespace SeedGrains.Cli.Commands;

/// <summary>The diffusion decoding options shared by `eval` and `bench decode`, and the decoder they make.</summary>
internal sealed class DecodingOptions
{
    readonly Option<string> rule = new("--policy") { Description = "confidence | topk | entropy", DefaultValueFactory = _ => "confidence" };
    readonly Option<float> threshold = new("--threshold") { Description = "Confidence threshold τ", DefaultValueFactory = _ => 0.9f };
    readonly Option<float> entropyBound = new("--entropy-bound") { DefaultValueFactory = _ => 1.0f };
    readonly Option<int> maxSteps = new("--max-steps") { Description = "Step budget per region", DefaultValueFactory = _ => 64 };
    readonly Option<int> blockSize = new("--block-size") { Description = "Semi-AR block size (0 = whole region); 8 was chosen on the dev set for the bundled model (models/diffusion/TRAINING.md)", DefaultValueFactory = _ => 8 };
    readonly Option<bool> noCache = new("--no-cache") { Description = "Recompute the whole canvas every step" };
    readonly Option<int> remask = new("--remask") { Description = "Refinement: how many low-confidence commits may be re-masked" };
    readonly Option<bool> padEnds = new("--pad-ends-region") { Description = "A committed pad/end token fills the rest of the region with pads at once (same output, fewer steps; '--pad-ends-region false' turns it off)", DefaultValueFactory = _ => true };

    readonly Option<bool> handover = new("--block-handover") { Description = "At a block boundary, move the finished block into the cached context with a forward of its tokens instead of a full forward of the canvas (1.5× faster, as exact on the dev set; '--block-handover false' refreshes per block)", DefaultValueFactory = _ => true };

    public static DecodingOptions Create() => new();

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { rule, threshold, entropyBound, maxSteps, blockSize, noCache, remask, padEnds, handover }) command.Options.Add(o);
    }

    public CommitPolicy Policy(ParseResult p) => new(
        p.GetValue(rule) switch
        {
            "confidence" => CommitRule.Confidence,
            "topk" => CommitRule.TopK,
            "entropy" => CommitRule.EntropyBounded,
            var other => throw new ArgumentException($"--policy must be confidence, topk or entropy, not '{other}'"),
        },
        Threshold: p.GetValue(threshold), EntropyBound: p.GetValue(entropyBound));

    public InfillOptions Infill(ParseResult p) => new(
        BlockSize: p.GetValue(blockSize), UseCache: !p.GetValue(noCache), MaxSteps: p.GetValue(maxSteps), RemaskBudget: p.GetValue(remask), PadEndsRegion: p.GetValue(padEnds),
        BlockHandover: p.GetValue(handover));

    public string Describe(ParseResult p) =>
        $"{p.GetValue(rule)} τ={p.GetValue(threshold)} max_steps={p.GetValue(maxSteps)} block={p.GetValue(blockSize)} cache={!p.GetValue(noCache)} remask={p.GetValue(remask)}{(p.GetValue(padEnds) ? " pad_ends_region" : "")}{(p.GetValue(handover) && !p.GetValue(noCache) && p.GetValue(blockSize) > 0 ? " block_handover" : "")}";

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
        return (prefix, suffix, budget) => decoder.Decode(prefix, suffix, budget, policy, infill);
    }
}
