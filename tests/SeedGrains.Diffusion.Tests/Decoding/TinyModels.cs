using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Model;
using TorchSharp;

namespace SeedGrains.Diffusion.Tests.Decoding;

/// <summary>Random tiny networks for decoder invariants (weights are arbitrary but seeded, so outputs are fixed).</summary>
internal static class TinyModels
{
    public static readonly SpecialTokenIds Specials = new(Mask: 1, Pad: 2, End: 0);

    public static Qwen2Model Create(AttentionMode attention, int seed = 0, bool shifted = false, int layers = 2)
    {
        torch.manual_seed(seed);
        var model = new Qwen2Model(new ModelConfig(VocabSize: 48, HiddenSize: 32, NumLayers: layers, NumHeads: 4, NumKvHeads: 2,
            IntermediateSize: 64, TieWordEmbeddings: true, MaxPositions: 512, Attention: attention, Shifted: shifted));
        model.eval();
        return model;
    }

    public static int[] Tokens(int length, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => 6 + rng.Next(42)).ToArray();
    }
}
