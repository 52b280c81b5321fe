using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Tokenization;
using SeedGrains.Grains.Model;
using SeedGrains.Tests.Fakes;
using TorchSharp;
using static SeedGrains.Grains.Tests.SessionWatching;

namespace SeedGrains.Grains.Tests;

/// <summary>
/// Sessions served by the real <see cref="DualCacheStepper"/> over a tiny random shifted model (the fakes elsewhere
/// never exercise the kept contexts): windows, leading end token, edits that invalidate a context, pad-ends-region.
/// </summary>
public sealed class RealStepperSessionTests
{
    private static readonly SpecialTokenIds Specials = new(CharTokenizer.Mask, CharTokenizer.Pad, CharTokenizer.End);

    /// <summary>Lets a test hold steps (to edit while a session is denoising) and counts them.</summary>
    private sealed class GatedStepper(DualCacheStepper inner) : IDenoiseStepper
    {
        public DualCacheStepper Inner => inner;
        public ManualResetEventSlim Gate { get; } = new(true);
        public int Calls;
        public SpecialTokenIds Specials => inner.Specials;
        public int MaxWindow => inner.MaxWindow;
        public void Forget(string cacheKey) => inner.Forget(cacheKey);

        public IReadOnlyList<DenoiseStepResult> Step(IReadOnlyList<DenoiseStepRequest> batch, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            if (!Gate.Wait(TimeSpan.FromSeconds(120), cancellationToken)) throw new TimeoutException("gate stayed closed");
            return inner.Step(batch, cancellationToken);
        }
    }

    private static (GatedStepper Stepper, ModelRuntimeFactory Factory) TinyShiftedModel()
    {
        torch.manual_seed(7);
        var model = new Qwen2Model(new ModelConfig(VocabSize: new CharTokenizer().VocabularySize, HiddenSize: 32, NumLayers: 2,
            NumHeads: 2, NumKvHeads: 1, IntermediateSize: 64, TieWordEmbeddings: true, MaxPositions: 512,
            Attention: AttentionMode.Bidirectional, Shifted: true));
        model.eval();
        var stepper = new GatedStepper(new DualCacheStepper(model, Specials, torch.CPU, maxWindow: 64, new DualCacheOptions(RefreshEvery: 4)));
        return (stepper, (_, device, _) => new ModelRuntime("tiny", device, stepper, new CharTokenizer()));
    }

    [Fact]
    public async Task Sessions_with_regions_anywhere_and_a_mid_way_edit_finish_with_the_text_outside_intact()
    {
        var (stepper, factory) = TinyShiftedModel();
        await using var cluster = await TestCluster.Start(model: factory);

        // A document longer than the 64-token window, a region at its very start, and one in the middle.
        var body = string.Concat(Enumerable.Range(0, 12).Select(i => $"x{i} = {i}\n"));
        var atStart = cluster.Session("t", "start");
        var middle = cluster.Session("t", "middle");
        stepper.Gate.Reset();
        await atStart.Create(new CreateSessionRequest(body, [new TextRegion(0, 6)]));
        var created = await middle.Create(new CreateSessionRequest(body, [new TextRegion(40, 46)]));

        // Edit the middle session while it is denoising: new text before its region, and a second region (body[60..64])
        // to fill. Regenerate ranges refer to the edited text, where body[46..] starts after the mask placeholders.
        var bodyTailAt = created.Text.Length - (body.Length - 46) + ("first".Length - 2);
        var edited = await middle.Edit(new EditRequest(created.Version, [new TextEdit(0, 2, "first")],
            [new TextRegion(bodyTailAt + 14, bodyTailAt + 18)]));
        stepper.Gate.Set();

        var startFinal = (await atStart.UntilSettled())[^1].Snapshot;
        var middleFinal = (await middle.UntilSettled())[^1].Snapshot;
        Assert.Equal(SessionStatus.Idle, startFinal.Status);
        Assert.Equal(SessionStatus.Idle, middleFinal.Status);
        Assert.EndsWith(body[6..], startFinal.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(SessionSnapshot.MaskPlaceholder, startFinal.Text, StringComparison.Ordinal);
        // The edit landed, the text between and after the regions is untouched, and no mask is left.
        Assert.StartsWith("first" + body[2..40], middleFinal.Text, StringComparison.Ordinal);
        Assert.Contains(body[46..60], middleFinal.Text, StringComparison.Ordinal);
        Assert.EndsWith(body[64..], middleFinal.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(SessionSnapshot.MaskPlaceholder, middleFinal.Text, StringComparison.Ordinal);
        Assert.True(edited.Version > created.Version);
        // Both kinds of step ran: kept contexts served steps, and full forwards (first steps, refreshes, the edit).
        Assert.True(stepper.Inner.CachedRows > 0, $"{stepper.Inner.CachedRows} cached rows");
        Assert.True(stepper.Inner.FullRows >= 3, $"{stepper.Inner.FullRows} full rows");
    }

    [Fact]
    public async Task A_step_budget_of_two_fills_a_region_in_two_steps_and_a_regenerated_region_gets_its_own()
    {
        var (stepper, factory) = TinyShiftedModel();
        await using var cluster = await TestCluster.Start(model: factory,
            sessions: o => { o.CommitRule = StepCommitRule.TopK; o.StepBudget = 2; o.PadEndsRegion = false; });
        var body = "def f(x):\n    return x + 1\n\nprint(f(2))\n";
        var session = cluster.Session("t", "budget");

        var created = await session.Create(new CreateSessionRequest(body, [new TextRegion(14, 26)]));
        var first = (await session.UntilSettled())[^1].Snapshot;
        Assert.Equal(SessionStatus.Idle, first.Status);
        Assert.Equal(2, Volatile.Read(ref stepper.Calls));   // 12 replaced characters → ≥ 16 masks, in two steps
        Assert.StartsWith(body[..14], first.Text, StringComparison.Ordinal);
        Assert.EndsWith(body[26..], first.Text, StringComparison.Ordinal);

        await session.Edit(new EditRequest(first.Version, [], [new TextRegion(0, 3)]));
        var second = (await session.UntilSettled())[^1].Snapshot;
        Assert.Equal(SessionStatus.Idle, second.Status);
        Assert.Equal(4, Volatile.Read(ref stepper.Calls));
        Assert.True(second.Version > created.Version);
    }

    [Fact]
    public async Task Regions_in_different_windows_each_get_the_whole_step_budget()
    {
        var (stepper, factory) = TinyShiftedModel();
        await using var cluster = await TestCluster.Start(model: factory,
            sessions: o => { o.CommitRule = StepCommitRule.TopK; o.StepBudget = 2; o.PadEndsRegion = false; });
        // 88 characters = 88 tokens, longer than the 64-token window: the two regions are never in one window.
        var body = string.Concat(Enumerable.Range(0, 12).Select(i => $"x{i} = {i}\n"));
        var session = cluster.Session("t", "two-windows");

        await session.Create(new CreateSessionRequest(body, [new TextRegion(0, 2), new TextRegion(79, 82)]));
        var final = (await session.UntilSettled())[^1].Snapshot;

        Assert.Equal(SessionStatus.Idle, final.Status);
        // Two steps for the first region's window, two for the second's: a budget shared by the session would give 3.
        Assert.Equal(4, Volatile.Read(ref stepper.Calls));
        Assert.Contains(body[2..79], final.Text, StringComparison.Ordinal);
        Assert.EndsWith(body[82..], final.Text, StringComparison.Ordinal);
    }

    /// <summary>A tiny model over the bundled BPE, and a stepper that records how many masks each request holds.</summary>
    private sealed class MaskCountingStepper(DualCacheStepper inner) : IDenoiseStepper
    {
        public System.Collections.Concurrent.ConcurrentBag<int> MasksPerRequest { get; } = [];
        public SpecialTokenIds Specials => inner.Specials;
        public int MaxWindow => inner.MaxWindow;
        public void Forget(string cacheKey) => inner.Forget(cacheKey);

        public IReadOnlyList<DenoiseStepResult> Step(IReadOnlyList<DenoiseStepRequest> batch, CancellationToken cancellationToken = default)
        {
            foreach (var request in batch) MasksPerRequest.Add(request.Tokens.Count(t => t == Specials.Mask));
            return inner.Step(batch, cancellationToken);
        }
    }

    private static string BundledTokenizerFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", "tokenizer", "tokenizer.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("models/tokenizer/tokenizer.json not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task Special_token_text_in_a_document_is_text_not_a_mask_to_fill()
    {
        var tokenizer = CodeTokenizer.Load(BundledTokenizerFile());
        var specials = new SpecialTokenIds(tokenizer.SpecialTokenId("<|mask|>")!.Value, tokenizer.SpecialTokenId("<|pad|>")!.Value,
            tokenizer.SpecialTokenId("<|endoftext|>")!.Value);
        torch.manual_seed(7);
        var model = new Qwen2Model(new ModelConfig(VocabSize: tokenizer.VocabularySize, HiddenSize: 32, NumLayers: 1, NumHeads: 2,
            NumKvHeads: 1, IntermediateSize: 64, TieWordEmbeddings: true, MaxPositions: 1024, Attention: AttentionMode.Bidirectional, Shifted: true));
        model.eval();
        var stepper = new MaskCountingStepper(new DualCacheStepper(model, specials, torch.CPU, maxWindow: 512, new DualCacheOptions(RefreshEvery: 4)));
        await using var cluster = await TestCluster.Start(model: (_, device, _) => new ModelRuntime("tiny-bpe", device, stepper, tokenizer));

        // 20 mask strings (and an end and a FIM sentinel) as text outside a 1-token region ("b").
        var before = "TOKENS = [" + string.Concat(Enumerable.Repeat("\"<|mask|>\", ", 20)) + "\"<|endoftext|>\", \"<|fim_prefix|>\"]\n";
        var text = before + "a = b\n";
        var session = cluster.Session("t", "specials");
        await session.Create(new CreateSessionRequest(text, [new TextRegion(before.Length + 4, before.Length + 5)]));
        var final = (await session.UntilSettled())[^1].Snapshot;

        Assert.Equal(SessionStatus.Idle, final.Status);
        Assert.StartsWith(before + "a = ", final.Text, StringComparison.Ordinal);
        Assert.EndsWith("\n", final.Text, StringComparison.Ordinal);
        // Only the region's budget is ever masked: max(4, ...) + 1 for one replaced token, never the 20 in the text.
        Assert.NotEmpty(stepper.MasksPerRequest);
        Assert.All(stepper.MasksPerRequest, masks => Assert.InRange(masks, 1, 5));
    }
}
