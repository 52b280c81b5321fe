using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>
/// Qwen2-family transformer (Qwen2ForCausalLM's weights): embeddings, pre-norm GQA + SwiGLU blocks with RoPE,
/// final RMSNorm, and an LM head that is either its own <c>lm_head</c> or the embedding matrix (tied).
/// Submodule names follow HF so <c>state_dict()</c> keys are HF tensor names. The same weights run bidirectional
/// (diffusion) or causal (AR); the <see cref="ModelConfig.Shifted"/> convention is the samplers' business.
/// Callers doing inference should wrap calls in <c>torch.no_grad()</c>.
/// </summary>
public sealed class Qwen2Model : nn.Module
{
    private readonly Qwen2Backbone model;
    private readonly Linear? lm_head;

    /// <summary>A randomly initialised model (normal std 0.02, biases 0, norms 1, like HF), float32 on CPU.</summary>
    public Qwen2Model(ModelConfig config) : this(config, initialize: true)
    {
    }

    /// <summary>
    /// A randomly initialised model (as above) created on <paramref name="device"/> in <paramref name="dtype"/>: the
    /// weights are allocated and drawn there, so a large shape never exists on the CPU (the random numbers, and so the
    /// weights for a seed, depend on the device's generator).
    /// </summary>
    public Qwen2Model(ModelConfig config, Device device, ScalarType dtype) : this(config, initialize: true, new ParameterPlacement(device, dtype))
    {
    }

    /// <param name="initialize">False when the weights are about to be overwritten (checkpoint loading).</param>
    /// <param name="placement">Device and dtype to create the parameters in (default: CPU, float32).</param>
    internal Qwen2Model(ModelConfig config, bool initialize, ParameterPlacement placement = default) : base(nameof(Qwen2Model))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        model = new Qwen2Backbone(config, placement);
        if (!config.TieWordEmbeddings)
        {
            lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false, placement.Device, placement.Dtype);
        }
        RegisterComponents();
        if (initialize)
        {
            InitializeWeights();
        }
    }

    public ModelConfig Config { get; }

    /// <summary>Dtype of the weights (and of the activations).</summary>
    public ScalarType Dtype => model.EmbedTokens.weight!.dtype;

    /// <summary>Device of the weights.</summary>
    public Device Device => model.EmbedTokens.weight!.device;

    /// <summary>A fresh, empty KV cache for this model.</summary>
    public KvCache CreateCache() => new(Config.NumLayers);

    /// <summary>Logits [B, T, V] in the model dtype; keyMask [B, T] bool or integer, 1/true = real token.</summary>
    public Tensor Forward(Tensor inputIds, AttentionMode mode, Tensor? keyMask = null)
    {
        using var scope = NewDisposeScope();
        var hidden = ForwardHidden(inputIds, mode, keyMask);
        return LmHead(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Final-normed hidden states [B, T, D]. <paramref name="positionIds"/> [B, T] or [T] (default 0..T-1, or
    /// cache.Length.. with a cache). With a cache the new tokens attend to the cached keys/values plus themselves
    /// (in causal mode causally among themselves); <paramref name="appendToCache"/> stores their keys/values and
    /// key mask. <paramref name="keyMask"/> covers the new tokens only; the cache remembers its own.
    /// </summary>
    public Tensor ForwardHidden(Tensor inputIds, AttentionMode mode, Tensor? keyMask = null, Tensor? positionIds = null,
                                KvCache? cache = null, bool appendToCache = false)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (appendToCache && cache is null)
        {
            throw new ArgumentException("appendToCache needs a cache", nameof(appendToCache));
        }
        using var scope = NewDisposeScope();
        var ids = CheckInputIds(inputIds);
        var batch = ids.shape[0];
        var length = ids.shape[1];
        cache?.CheckUsableFor(batch, Config.NumLayers);
        var past = cache?.Length ?? 0;

        var newKeyMask = keyMask is null ? null : CheckKeyMask(keyMask, batch, length);
        Tensor? fullKeyMask = newKeyMask;
        if (cache?.KeyMask is { } cachedMask)
        {
            fullKeyMask = cat([cachedMask, newKeyMask ?? ones(batch, length, ScalarType.Bool, ids.device)], 1);
        }
        else if (newKeyMask is not null && past > 0)
        {
            fullKeyMask = cat([ones(batch, past, ScalarType.Bool, ids.device), newKeyMask], 1);
        }

        var positions = positionIds is null
            ? arange(past, past + length, ScalarType.Int64, ids.device).unsqueeze(0)
            : CheckPositionIds(positionIds, batch, length);

        try
        {
            var hidden = model.Forward(ids, (dtype, device) => AttentionPlan.Build(mode, fullKeyMask, length, past, dtype, device),
                                       positions, cache, appendToCache);
            if (appendToCache)
            {
                cache!.CommitAppend(length, newKeyMask, batch);
            }
            return hidden.MoveToOuterDisposeScope();
        }
        catch when (appendToCache)
        {
            // Never leave some layers longer than the others.
            cache!.RollbackUncommitted();
            throw;
        }
    }

    /// <summary>
    /// Final-normed hidden states [B, T, D] under an explicit attention pattern: <paramref name="attentionMask"/>
    /// [B, T, T] or [T, T], bool or integer, nonzero where query i may see key j (e.g. block-causal masks for
    /// block diffusion). Every query must see at least one key. No cache.
    /// </summary>
    public Tensor ForwardHiddenMasked(Tensor inputIds, Tensor attentionMask, Tensor? positionIds = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        using var scope = NewDisposeScope();
        var ids = CheckInputIds(inputIds);
        var batch = ids.shape[0];
        var length = ids.shape[1];
        var shapeOk = attentionMask.dim() switch
        {
            2 => attentionMask.shape[0] == length && attentionMask.shape[1] == length,
            3 => attentionMask.shape[0] == batch && attentionMask.shape[1] == length && attentionMask.shape[2] == length,
            _ => false,
        };
        if (!shapeOk)
        {
            throw new ArgumentException($"attentionMask must be [{batch}, {length}, {length}] or [{length}, {length}], got [{string.Join(", ", attentionMask.shape)}]", nameof(attentionMask));
        }
        var allowed = attentionMask.to(Device).ne(0);
        allowed = (allowed.dim() == 2 ? allowed.unsqueeze(0) : allowed).unsqueeze(1);   // [B|1, 1, T, T]
        var positions = positionIds is null
            ? arange(0, length, ScalarType.Int64, ids.device).unsqueeze(0)
            : CheckPositionIds(positionIds, batch, length);
        var hidden = model.Forward(ids, (dtype, _) => AttentionPlan.FromAllowed(allowed, length, length, dtype), positions, null, false);
        return hidden.MoveToOuterDisposeScope();
    }

    /// <summary>[..., D] → logits [..., V].</summary>
    public Tensor LmHead(Tensor hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (hidden.dim() < 1 || hidden.shape[^1] != Config.HiddenSize)
        {
            throw new ArgumentException($"LmHead expects [..., {Config.HiddenSize}] hidden states, got [{string.Join(", ", hidden.shape)}]", nameof(hidden));
        }
        return lm_head is null
            ? nn.functional.linear(hidden, model.EmbedTokens.weight!)
            : lm_head.forward(hidden);
    }

    private void InitializeWeights()
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                parameter.fill_(1.0);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else
            {
                nn.init.normal_(parameter, 0.0, 0.02);
            }
        }
    }

    private Tensor CheckInputIds(Tensor inputIds)
    {
        if (inputIds.dim() != 2)
        {
            throw new ArgumentException($"inputIds must be [B, T], got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        }
        if (inputIds.shape[1] == 0)
        {
            throw new ArgumentException("inputIds has no tokens (T = 0)", nameof(inputIds));
        }
        if (inputIds.dtype is not (ScalarType.Int64 or ScalarType.Int32))
        {
            throw new ArgumentException($"inputIds must be int64 or int32, got {inputIds.dtype}", nameof(inputIds));
        }
        var ids = inputIds.to(ScalarType.Int64, Device);
        // One host read for both ends: on a GPU each read waits for the device.
        using var minMax = torch.stack([ids.min(), ids.max()]).cpu();
        var bounds = minMax.data<long>();
        long min = bounds[0], max = bounds[1];
        if (min < 0 || max >= Config.VocabSize)
        {
            throw new ArgumentException($"inputIds holds token id {(min < 0 ? min : max)} outside the vocabulary [0, {Config.VocabSize})", nameof(inputIds));
        }
        return ids;
    }

    private Tensor CheckKeyMask(Tensor keyMask, long batch, long length)
    {
        if (keyMask.dim() != 2 || keyMask.shape[0] != batch || keyMask.shape[1] != length)
        {
            throw new ArgumentException($"keyMask must be [{batch}, {length}] like inputIds, got [{string.Join(", ", keyMask.shape)}]", nameof(keyMask));
        }
        return keyMask.to(Device).ne(0);
    }

    private Tensor CheckPositionIds(Tensor positionIds, long batch, long length)
    {
        var ok = positionIds.dim() switch
        {
            1 => positionIds.shape[0] == length,
            2 => positionIds.shape[1] == length && (positionIds.shape[0] == batch || positionIds.shape[0] == 1),
            _ => false,
        };
        if (!ok)
        {
            throw new ArgumentException($"positionIds must be [{batch}, {length}] or [{length}], got [{string.Join(", ", positionIds.shape)}]", nameof(positionIds));
        }
        var positions = positionIds.to(ScalarType.Int64, Device);
        return positions.dim() == 1 ? positions.unsqueeze(0) : positions;
    }
}
