using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Tests.Decoding;

/// <summary>
/// The decoders on a model that computes in bfloat16 (`--dtype bfloat16`): the forward stays within bfloat16's
/// rounding of float32's, and every decoder runs with its invariants intact (caches, additive masks and scores all
/// follow the model's dtype).
/// </summary>
public sealed class BFloat16DecodingTests
{
    readonly int[] prefix = TinyModels.Tokens(30, 1);
    readonly int[] suffix = TinyModels.Tokens(25, 2);

    static Qwen2Model BFloat16(AttentionMode attention, int seed = 0)
    {
        var model = TinyModels.Create(attention, seed);
        model.to(ScalarType.BFloat16);
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
