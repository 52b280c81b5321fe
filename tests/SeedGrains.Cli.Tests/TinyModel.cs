using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Tokenization;
using TorchSharp;

namespace SeedGrains.Cli.Tests;

/// <summary>Random 1-layer model folders over the bundled tokenizer, for running commands end to end quickly.</summary>
internal static class TinyModel
{
    /// <summary>Saves a random model (special ids from the bundled tokenizer's specials) with its tokenizer; returns <paramref name="dir"/>.</summary>
    public static string Save(string dir, AttentionMode attention = AttentionMode.Bidirectional, int seed = 7)
    {
        Directory.CreateDirectory(dir);
        var tokenizerPath = Path.Combine(Cli.BundledTokenizerDirectory(), "tokenizer.json");
        File.Copy(tokenizerPath, Path.Combine(dir, "tokenizer.json"));
        var tokenizer = CodeTokenizer.Load(tokenizerPath);
        int Special(string name) => tokenizer.SpecialTokenId(name) ?? throw new InvalidOperationException($"bundled tokenizer has no {name}");
        var config = new ModelConfig(
            VocabSize: tokenizer.VocabularySize, HiddenSize: 32, NumLayers: 1, NumHeads: 2, NumKvHeads: 1, IntermediateSize: 64,
            MaxPositions: 1024, TieWordEmbeddings: true,
            MaskTokenId: Special("<|mask|>"), PadTokenId: Special("<|pad|>"), EosTokenId: Special("<|endoftext|>"),
            Attention: attention);
        torch.manual_seed(seed);
        using var model = new Qwen2Model(config);
        Checkpoint.Save(model, dir);
        return dir;
    }
}
