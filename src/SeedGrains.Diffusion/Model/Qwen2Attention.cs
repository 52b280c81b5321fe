using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>
/// Grouped-query self-attention with RoPE: q/k/v projections (bias unless attention_bias is false), no o bias
/// (Qwen2), fused scaled_dot_product_attention. Grouped query heads are folded onto their shared key/value head
/// rather than copying keys/values per query head, except for the fused causal kernel (no mask, no cache).
/// </summary>
internal sealed class Qwen2Attention : nn.Module
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly int numHeads;
    private readonly int numKvHeads;
    private readonly int headDim;

    public Qwen2Attention(ModelConfig config, ParameterPlacement placement) : base(nameof(Qwen2Attention))
    {
        numHeads = config.NumHeads;
        numKvHeads = config.NumKvHeads;
        headDim = config.HeadDim;
        q_proj = nn.Linear(config.HiddenSize, numHeads * headDim, hasBias: config.AttentionBias, placement.Device, placement.Dtype);
        k_proj = nn.Linear(config.HiddenSize, numKvHeads * headDim, hasBias: config.AttentionBias, placement.Device, placement.Dtype);
        v_proj = nn.Linear(config.HiddenSize, numKvHeads * headDim, hasBias: config.AttentionBias, placement.Device, placement.Dtype);
        o_proj = nn.Linear(numHeads * headDim, config.HiddenSize, hasBias: false, placement.Device, placement.Dtype);
        RegisterComponents();
    }

    /// <summary>x [B, T, D] → [B, T, D]; with a cache the keys are the cached ones followed by these T.</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, AttentionPlan plan, KvCache? cache, int layer, bool appendToCache)
    {
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        var length = x.shape[1];
        var q = q_proj.forward(x).view(batch, length, numHeads, headDim).transpose(1, 2);
        var k = k_proj.forward(x).view(batch, length, numKvHeads, headDim).transpose(1, 2);
        var v = v_proj.forward(x).view(batch, length, numKvHeads, headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null)
        {
            (k, v) = cache.Extend(layer, k, v, appendToCache);
        }
        var groups = numHeads / numKvHeads;
        Tensor attended;
        if (groups == 1)
        {
            attended = nn.functional.scaled_dot_product_attention(q, k, v, plan.AdditiveMask, 0.0, plan.IsCausal);
        }
        else if (plan.IsCausal)
        {
            // The fused causal kernel needs one query row per position: repeat the kv heads (HF's repeat_kv order).
            attended = nn.functional.scaled_dot_product_attention(q, k.repeat_interleave(groups, 1), v.repeat_interleave(groups, 1), null, 0.0, true);
        }
        else
        {
            // GQA without copying keys/values: the query heads sharing kv head j (heads j*G .. j*G+G-1) become
            // G*T query rows of one head j. The mask depends only on the position, so it is tiled G times.
            var folded = q.reshape(batch, numKvHeads, groups * length, headDim);
            var mask = plan.AdditiveMask?.repeat(1, 1, groups, 1);
            attended = nn.functional.scaled_dot_product_attention(folded, k, v, mask, 0.0, false)
                .reshape(batch, numHeads, length, headDim);
        }
        var merged = attended.transpose(1, 2).reshape(batch, length, numHeads * headDim);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }
}
