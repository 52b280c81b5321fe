using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>HF's inner <c>model</c>: embed_tokens, layers.N, norm. Produces final-normed hidden states.</summary>
internal sealed class Qwen2Backbone : nn.Module
{
    private readonly ModelConfig config;
    private readonly Embedding embed_tokens;
    private readonly ModuleList<Qwen2DecoderLayer> layers;
    private readonly RmsNorm norm;

    public Qwen2Backbone(ModelConfig config, ParameterPlacement placement) : base(nameof(Qwen2Backbone))
    {
        this.config = config;
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize, device: placement.Device, dtype: placement.Dtype);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(_ => new Qwen2DecoderLayer(config, placement)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement);
        RegisterComponents();
    }

    public Embedding EmbedTokens => embed_tokens;

    /// <param name="inputIds">[B, T] int64.</param>
    /// <param name="plan">Masking for every layer; builds it from the embedding dtype and device.</param>
    /// <param name="positionIds">[B, T] or [1, T] int64.</param>
    public Tensor Forward(Tensor inputIds, Func<ScalarType, Device, AttentionPlan> plan, Tensor positionIds, KvCache? cache, bool appendToCache)
    {
        using var scope = NewDisposeScope();
        var hidden = embed_tokens.forward(inputIds);
        var (cos, sin) = RotaryEmbedding.Tables(positionIds, config.HeadDim, config.RopeTheta, hidden.dtype);
        var masking = plan(hidden.dtype, hidden.device);
        for (var i = 0; i < layers.Count; i++)
        {
            var next = layers[i].Forward(hidden, cos, sin, masking, cache, i, appendToCache);
            hidden.Dispose();
            hidden = next;
        }
        return norm.forward(hidden).MoveToOuterDisposeScope();
    }
}
