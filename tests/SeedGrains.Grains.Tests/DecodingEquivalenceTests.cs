using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Training;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Sessions;
using SeedGrains.Tests.Fakes;
using TorchSharp;
using static SeedGrains.Grains.Tests.SessionWatching;

namespace SeedGrains.Grains.Tests;

/// <summary>
/// A session region with a <c>decoding</c> ends with the same text, in the same number of steps, as the CLI's span
/// decoder (<see cref="InfillDecoder"/>, what `seedgrains eval` / `bench decode` run) with the same flags on the same
/// prefix, suffix and budget — over a tiny random shifted model, served by the uncached <see cref="DenoiseStepper"/>
/// against the decoder with --no-cache (the dual cache is an approximation on both sides, docs/api.md).
/// </summary>
public sealed class DecodingEquivalenceTests
{
    private static readonly SpecialTokenIds Specials = new(CharTokenizer.Mask, CharTokenizer.Pad, CharTokenizer.End);
    private const string Prefix = "def add(a, b):\n    ";
    private const string Middle = "return a + b";
    private const string Suffix = "\n\nprint(add(1, 2))\n";

    /// <summary>
    /// Text as a grain call carries it (UTF-8): the test tokenizer maps ids to single UTF-16 code units, so a random
    /// model may write a lone surrogate, which arrives as U+FFFD (so two different lone surrogates would compare equal;
    /// every other character, and the step count, still tell two decodings apart).
    /// </summary>
    private static string AsSent(string text) => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text));

    private sealed class CountingStepper(IDenoiseStepper inner) : IDenoiseStepper
    {
        public int Calls;
        public SpecialTokenIds Specials => inner.Specials;
        public int MaxWindow => inner.MaxWindow;

        public IReadOnlyList<DenoiseStepResult> Step(IReadOnlyList<DenoiseStepRequest> batch, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            return inner.Step(batch, cancellationToken);
        }
    }

    private static Qwen2Model TinyShiftedModel()
    {
        torch.manual_seed(7);
        var model = new Qwen2Model(new ModelConfig(VocabSize: new CharTokenizer().VocabularySize, HiddenSize: 32, NumLayers: 2,
            NumHeads: 2, NumKvHeads: 1, IntermediateSize: 64, TieWordEmbeddings: true, MaxPositions: 512,
            Attention: AttentionMode.Bidirectional, Shifted: true));
        model.eval();
        return model;
    }

    private static async Task<(TestCluster Cluster, CountingStepper Stepper, InfillDecoder Decoder)> Start()
    {
        var model = TinyShiftedModel();
        var stepper = new CountingStepper(new DenoiseStepper(model, Specials, torch.CPU, maxWindow: 128));
        var cluster = await TestCluster.Start(model: (_, device, _) => new ModelRuntime("tiny", device, stepper, new CharTokenizer()));
        return (cluster, stepper, new InfillDecoder(model, Specials, torch.CPU));
    }

    /// <summary>The CLI's flags for a decoding: `--policy … --max-steps … --block-size … --no-cache --pad-ends-region true`.</summary>
    private static (CommitPolicy Policy, InfillOptions Options, ulong Seed) CliFlags(DecodingRequest d) => (
        new CommitPolicy(d.Policy switch { StepCommitRule.TopK => CommitRule.TopK, StepCommitRule.EntropyBounded => CommitRule.EntropyBounded, _ => CommitRule.Confidence },
            Threshold: d.Threshold ?? 0.9f, EntropyBound: d.EntropyBound ?? 1f, Temperature: d.Temperature ?? 0f),
        new InfillOptions(BlockSize: d.BlockSize ?? 0, UseCache: false, MaxSteps: d.MaxSteps!.Value, PadEndsRegion: true),
        (ulong)(d.Seed ?? 0));

    public static TheoryData<string, DecodingRequest, bool> Cases => new()
    {
        // eval's quality defaults (confidence τ = 0.9 in blocks of 8, 64 steps).
        { "confidence, blocks of 8", new DecodingRequest(StepCommitRule.Confidence, Threshold: 0.9f, MaxSteps: 64, BlockSize: 8), false },
        // bench decode's speed defaults (top-k over the whole region in two steps).
        { "topk in 2 steps", new DecodingRequest(StepCommitRule.TopK, MaxSteps: 2, BlockSize: 0), false },
        // Budgets tight enough that each block's share of the steps forces commits: ignoring the blocks changes the text.
        { "confidence, blocks of 4 in 6 steps", new DecodingRequest(StepCommitRule.Confidence, Threshold: 0.9f, MaxSteps: 6, BlockSize: 4), false },
        { "entropy, blocks of 4 in 6 steps", new DecodingRequest(StepCommitRule.EntropyBounded, EntropyBound: 0.5f, MaxSteps: 6, BlockSize: 4), false },
        { "sampled topk, blocks of 5", new DecodingRequest(StepCommitRule.TopK, MaxSteps: 9, BlockSize: 5, Temperature: 0.8f, Seed: 42), false },
        { "confidence at the document's start", new DecodingRequest(StepCommitRule.Confidence, Threshold: 0.5f, MaxSteps: 4, BlockSize: 6), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_session_region_ends_as_the_cli_decoder_ends_the_span(string why, DecodingRequest decoding, bool atStart)
    {
        var (cluster, stepper, decoder) = await Start();
        await using var _ = cluster;
        var tokenizer = new CharTokenizer();
        var (prefix, suffix) = atStart ? ("", Middle[6..] + Suffix) : (Prefix, Suffix);
        var middle = atStart ? Middle[..6] : Middle;
        var budget = SpanSampler.Budget(tokenizer.EncodeVerbatim(middle).Ids.Length);
        Assert.Equal(budget, MaskBudget.For(middle.Length, new SessionOptions())); // the session's default budget is the eval rule

        var (policy, options, seed) = CliFlags(decoding);
        var expected = decoder.Decode(tokenizer.EncodeVerbatim(prefix).Ids, tokenizer.EncodeVerbatim(suffix).Ids, budget, policy, options, seed);

        var session = cluster.Session("t", "equivalence");
        var text = prefix + middle + suffix;
        await session.Create(new CreateSessionRequest(text, [new TextRegion(prefix.Length, prefix.Length + middle.Length)], Decoding: decoding));
        var final = (await session.UntilSettled())[^1].Snapshot;

        Assert.Equal(SessionStatus.Idle, final.Status);
        Assert.Equal(AsSent(prefix + tokenizer.Decode(expected.Tokens) + suffix), final.Text);
        Assert.Equal(expected.Steps, Volatile.Read(ref stepper.Calls));
    }

    [Fact]
    public void The_decoding_changes_the_text_on_this_model()
    {
        // Guards the test above: on a model where every policy gave one text, it could not tell them apart.
        var decoder = new InfillDecoder(TinyShiftedModel(), Specials, torch.CPU);
        var tokenizer = new CharTokenizer();
        var texts = Cases.Select(c => (DecodingRequest)c[1]).Where((_, i) => i < 5).Select(d =>
        {
            var (policy, options, seed) = CliFlags(d);
            return tokenizer.Decode(decoder.Decode(tokenizer.EncodeVerbatim(Prefix).Ids, tokenizer.EncodeVerbatim(Suffix).Ids, 16, policy, options, seed).Tokens);
        }).ToList();
        Assert.True(texts.Distinct().Count() >= 4, string.Join(" | ", texts));
    }

    [Fact]
    public async Task A_regenerated_region_uses_the_edits_decoding()
    {
        var (cluster, stepper, decoder) = await Start();
        await using var _ = cluster;
        var tokenizer = new CharTokenizer();
        var session = cluster.Session("t", "regenerate");
        await session.Create(new CreateSessionRequest(Prefix + Middle + Suffix, [new TextRegion(Prefix.Length, Prefix.Length + Middle.Length)],
            Decoding: new DecodingRequest(StepCommitRule.TopK, MaxSteps: 2)));
        var first = (await session.UntilSettled())[^1].Snapshot;
        var generated = first.Text[Prefix.Length..^Suffix.Length];
        var callsBefore = Volatile.Read(ref stepper.Calls);

        var decoding = new DecodingRequest(StepCommitRule.Confidence, Threshold: 0.9f, MaxSteps: 12, BlockSize: 4);
        await session.Edit(new EditRequest(first.Version, [], [new TextRegion(Prefix.Length, Prefix.Length + generated.Length)], Decoding: decoding));
        var second = (await session.UntilSettled())[^1].Snapshot;

        var (policy, options, seed) = CliFlags(decoding);
        var budget = MaskBudget.For(tokenizer.EncodeVerbatim(generated).Ids.Length, new SessionOptions());
        var expected = decoder.Decode(tokenizer.EncodeVerbatim(Prefix).Ids, tokenizer.EncodeVerbatim(Suffix).Ids, budget, policy, options, seed);
        Assert.Equal(SessionStatus.Idle, second.Status);
        Assert.Equal(AsSent(Prefix + tokenizer.Decode(expected.Tokens) + Suffix), second.Text);
        Assert.Equal(expected.Steps, Volatile.Read(ref stepper.Calls) - callsBefore);
    }
}
