using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>Pre-norm transformer block: x + attn(norm(x)), then + mlp(norm(x)). HF names kept.</summary>
internal sealed class Qwen2DecoderLayer : nn.Module
{
    private readonly RmsNorm input_layernorm;
    private readonly Qwen2Attention self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly Qwen2Mlp mlp;

    public Qwen2DecoderLayer(ModelConfig config, ParameterPlacement placement) : base(nameof(Qwen2DecoderLayer))
    {
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement);
        self_attn = new Qwen2Attention(config, placement);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement);
        mlp = new Qwen2Mlp(config, placement);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, AttentionPlan plan, KvCache? cache, int layer, bool appendToCache)
    {
        using var scope = NewDisposeScope();
        var h = x + self_attn.Forward(input_layernorm.forward(x), cos, sin, plan, cache, layer, appendToCache);
        var output = h + mlp.forward(post_attention_layernorm.forward(h));
        return output.MoveToOuterDisposeScope();
    }
}
