using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Runtime;
using SeedGrains.Diffusion.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Tests.Decoding;

/// <summary>
/// The decoders on a model that computes in bfloat16 (`--dtype bfloat16`): the forward stays within bfloat16's
/// rounding of float32's, and every decoder runs with its invariants intact (caches, additive masks and scores all
/// follow the model's dtype).
/// </summary>
public sealed class BFloat16DecodingTests : IDisposable
{
    readonly int[] prefix = TinyModels.Tokens(30, 1);
    readonly int[] suffix = TinyModels.Tokens(25, 2);
    readonly List<Qwen2Model> models = [];

    public void Dispose() => models.ForEach(m => m.Dispose());

    Qwen2Model BFloat16(AttentionMode attention, int seed = 0)
    {
        var model = TinyModels.Create(attention, seed);
        model.to(ScalarType.BFloat16);
        models.Add(model);
        return model;
    }

    [Fact]
    public void HiddenStatesStayWithinBFloat16RoundingOfFloat32()
    {
        using var model = TinyModels.Create(AttentionMode.Bidirectional);
        using var noGrad = no_grad();
        using var ids = tensor(TinyModels.Tokens(64, 3).Select(t => (long)t).ToArray(), [1, 64]);
        using var full = model.ForwardHidden(ids, AttentionMode.Bidirectional);
        model.to(ScalarType.BFloat16);
        using var half = model.ForwardHidden(ids, AttentionMode.Bidirectional);

        Assert.Equal(ScalarType.BFloat16, half.dtype);
        using var error = (half.to(ScalarType.Float32) - full).abs().max();
        using var scale = full.abs().max();
        // bfloat16 keeps 8 significant bits (relative rounding 2^-9 per op); a few percent of the largest activation
        // after two layers is rounding, a wrong mask or dtype mix-up is of the order of the activations themselves.
        Assert.True(error.item<float>() < 0.05f * scale.item<float>(), $"max error {error.item<float>()} vs scale {scale.item<float>()}");
    }

    [Theory]
    [InlineData(0, false)]  // whole region, dual cache: bench decode's speed default
    [InlineData(4, true)]   // blocks with hand-over: eval's quality default
    public void InfillDecodingFillsTheRegion(int blockSize, bool handOver)
    {
        var decoder = new InfillDecoder(BFloat16(AttentionMode.Bidirectional), TinyModels.Specials, CPU);
        var options = new InfillOptions(BlockSize: blockSize, MaxSteps: 4, BlockHandover: handOver);

        var result = decoder.Decode(prefix, suffix, budget: 12, new CommitPolicy(CommitRule.TopK), options);
        var again = decoder.Decode(prefix, suffix, budget: 12, new CommitPolicy(CommitRule.TopK), options);

        Assert.DoesNotContain(TinyModels.Specials.Mask, result.Tokens);
        Assert.InRange(result.Tokens.Length, 0, 12);
        Assert.Equal(result.Tokens, again.Tokens);
    }

    [Fact]
    public void BatchedStepsOverPaddedRowsCommitOnlyMaskedPositions()
    {
        // Rows of different lengths take the additive key mask, built in the model's dtype.
        var stepper = new DenoiseStepper(BFloat16(AttentionMode.Bidirectional), TinyModels.Specials, CPU, maxWindow: 128);
        var rows = new[] { (Length: 40, Masked: new[] { 3, 4, 5 }), (Length: 17, Masked: new[] { 0, 16 }) }
            .Select((r, i) =>
            {
                var tokens = TinyModels.Tokens(r.Length, i);
                foreach (var m in r.Masked) tokens[m] = TinyModels.Specials.Mask;
                return new DenoiseStepRequest(tokens, new CommitPolicy(CommitRule.TopK), StepsLeft: 1);
            }).ToArray();

        var results = stepper.Step(rows);

        for (int i = 0; i < rows.Length; i++)
        {
            var masked = Enumerable.Range(0, rows[i].Tokens.Length).Where(k => rows[i].Tokens[k] == TinyModels.Specials.Mask);
            // One step left: every masked position is committed, and nothing else.
            Assert.Equal(masked, results[i].Commits.Select(c => c.Position).Order());
            Assert.All(results[i].Commits, c => Assert.InRange(c.Confidence, 0f, 1f));
        }
    }

    [Fact]
    public void TheServicesCachingStepperFillsRowsFromItsKeptContexts()
    {
        // RefreshEvery 4: the first step is a full forward that keeps each row's context, the next ones reuse it.
        using var stepper = new DualCacheStepper(BFloat16(AttentionMode.Bidirectional), TinyModels.Specials, CPU, 128, new DualCacheOptions(RefreshEvery: 4));
        var canvas = new[] { TinyModels.Tokens(40, 1), TinyModels.Tokens(23, 2) };
        for (int i = 12; i < 20; i++) canvas[0][i] = TinyModels.Specials.Mask;
        for (int i = 0; i < 5; i++) canvas[1][i] = TinyModels.Specials.Mask;
        var unmasked = canvas.Select(w => w.Select((t, i) => (t, i)).Where(x => x.t != TinyModels.Specials.Mask).ToArray()).ToArray();

        for (int step = 0; step < 3; step++)
        {
            var requests = canvas.Select((w, r) => new DenoiseStepRequest((int[])w.Clone(), new CommitPolicy(CommitRule.TopK), StepsLeft: 3 - step, CacheKey: $"row{r}")).ToArray();
            var results = stepper.Step(requests);
            for (int r = 0; r < canvas.Length; r++)
            {
                Assert.NotEmpty(results[r].Commits);
                foreach (var c in results[r].Commits)
                {
                    Assert.Equal(TinyModels.Specials.Mask, canvas[r][c.Position]);
                    canvas[r][c.Position] = c.Token;
                }
            }
        }

        Assert.True(stepper.CachedRows > 0, "no step reused a kept context");
        // Three steps of a three-step budget fill every mask and leave every other token as it was.
        for (int r = 0; r < canvas.Length; r++)
        {
            Assert.DoesNotContain(TinyModels.Specials.Mask, canvas[r]);
            Assert.All(unmasked[r], x => Assert.Equal(x.t, canvas[r][x.i]));
        }
    }

    [Fact]
    public void ModelsComputeOnlyInFloat32OrBFloat16()
    {
        // Checked before the folder is read: float16 would need its own attention-mask minimum and has no fast CPU path.
        var error = Assert.Throws<ArgumentException>(() => ModelBundle.Load("no-such-folder", CPU, ScalarType.Float16));
        Assert.Contains("float32 or bfloat16", error.Message);
    }

    [Fact]
    public void TheArBaselineDecodesWithItsCache()
    {
        var vocab = new TrainingVocabulary(48, Mask: 1, Pad: 2, End: 0, FimPrefix: 3, FimSuffix: 4, FimMiddle: 5, EndsLine: new bool[48]);
        var decoder = new ArInfillDecoder(BFloat16(AttentionMode.Causal, seed: 2), vocab, CPU);

        var result = decoder.Decode(prefix, suffix, maxNewTokens: 12);

        Assert.InRange(result.Tokens.Length, 0, 12);
        Assert.DoesNotContain(vocab.End, result.Tokens);
        Assert.Equal(result.Tokens, decoder.Decode(prefix, suffix, maxNewTokens: 12).Tokens);
    }
}
