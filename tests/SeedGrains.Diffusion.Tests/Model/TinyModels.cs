using SeedGrains.Diffusion.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Tests.Model;

/// <summary>Small models and inputs for tests; everything seeded.</summary>
internal static class TinyModels
{
    public static string FixtureDir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf-qwen2-tiny");

    /// <summary>
    /// Deliberately unlike the fixture: other sizes, GQA 3:1, tied head, rope_theta 1e6, odd vocab.
    /// </summary>
    public static ModelConfig TiedConfig() => new(
        VocabSize: 97, HiddenSize: 48, NumLayers: 3, NumHeads: 6, NumKvHeads: 2, IntermediateSize: 80,
        RmsNormEps: 1e-5, RopeTheta: 1e6, MaxPositions: 128, TieWordEmbeddings: true, MaskTokenId: 96, PadTokenId: 0, EosTokenId: 1);

    public static Qwen2Model Create(ModelConfig config, long seed = 1234)
    {
        torch.manual_seed(seed);
        var model = new Qwen2Model(config);
        // Norm weights and biases away from 1 / 0 so a mis-wired norm or bias cannot go unnoticed.
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (name.EndsWith("norm.weight", StringComparison.Ordinal))
                {
                    parameter.copy_(rand_like(parameter) + 0.5);
                }
                else if (name.EndsWith(".bias", StringComparison.Ordinal))
                {
                    parameter.copy_(randn_like(parameter) * 0.1);
                }
                else
                {
                    // std 0.02 makes logits nearly uniform; larger weights make every term matter.
                    parameter.mul_(10.0);
                }
            }
        }
        model.eval();
        return model;
    }

    public static Tensor RandomIds(long batch, long length, int vocab, long seed)
    {
        var generator = new Generator((ulong)seed);
        return randint(0, vocab, [batch, length], generator: generator, dtype: ScalarType.Int64);
    }

    /// <summary>Same shape, dtype and every element equal.</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }

    public static float MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        Assert.Equal(a.shape, b.shape);
        return (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max().item<float>();
    }
}
