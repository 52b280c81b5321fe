using System.Text.Json;
using System.Text.Json.Nodes;

namespace SeedGrains.Diffusion.Model;

/// <summary>
/// Turns a parsed HF config.json into a <see cref="ModelConfig"/>: typed field access whose errors name the field,
/// and refusal of settings this network does not implement (rope scaling, sliding windows, other activations).
/// Unknown fields are ignored.
/// </summary>
internal sealed class ConfigJsonReader(JsonObject root, string? source)
{
    private static readonly string[] SupportedModelTypes = ["qwen2", "dream"];

    public ModelConfig Read()
    {
        var modelType = String("model_type") ?? "qwen2";
        if (!SupportedModelTypes.Contains(modelType.ToLowerInvariant()))
        {
            throw Error("model_type", $"'{modelType}' is not a Qwen2-family model (supported: {string.Join(", ", SupportedModelTypes)})");
        }
        // Dream-style models are bidirectional and shifted unless they say otherwise.
        var isDream = modelType.Equals("dream", StringComparison.OrdinalIgnoreCase);

        var hiddenAct = String("hidden_act") ?? "silu";
        if (hiddenAct != "silu")
        {
            throw Error("hidden_act", $"only 'silu' (SwiGLU) is supported, got '{hiddenAct}'");
        }
        if (root.TryGetPropertyValue("rope_scaling", out var ropeScaling) && ropeScaling is not null && !IsDefaultRopeType(ropeScaling))
        {
            throw Error("rope_scaling", $"rope scaling is not supported (got {ropeScaling.ToJsonString()}); only plain RoPE");
        }
        if (Bool("use_sliding_window") == true)
        {
            throw Error("use_sliding_window", "sliding-window attention is not supported");
        }
        CheckLayerTypes();

        var hidden = RequiredInt("hidden_size");
        var heads = RequiredInt("num_attention_heads");
        var headDim = Int("head_dim");
        if (headDim is { } hd && heads > 0 && hd * heads != hidden)
        {
            throw Error("head_dim", $"{hd} is inconsistent with hidden_size {hidden} / num_attention_heads {heads}");
        }

        var config = new ModelConfig(
            VocabSize: RequiredInt("vocab_size"),
            HiddenSize: hidden,
            NumLayers: RequiredInt("num_hidden_layers"),
            NumHeads: heads,
            NumKvHeads: Int("num_key_value_heads") ?? heads,
            IntermediateSize: RequiredInt("intermediate_size"),
            RmsNormEps: Double("rms_norm_eps") ?? 1e-6,
            RopeTheta: RopeTheta(),
            MaxPositions: Int("max_position_embeddings") ?? 32768,
            TieWordEmbeddings: Bool("tie_word_embeddings") ?? false,
            Shifted: Bool("shifted") ?? isDream,
            MaskTokenId: Int("mask_token_id"),
            PadTokenId: Int("pad_token_id"),
            EosTokenId: FirstTokenId("eos_token_id"),
            BosTokenId: FirstTokenId("bos_token_id"),
            Attention: Attention(isDream),
            AttentionBias: Bool("attention_bias") ?? true,
            Dtype: Dtype(),
            ModelType: modelType);
        config.Validate(source);
        return config;
    }

    private double RopeTheta()
    {
        if (root.TryGetPropertyValue("rope_parameters", out var node) && node is not null)
        {
            if (node is not JsonObject parameters)
            {
                throw Error("rope_parameters", "expected an object");
            }
            if (!IsDefaultRopeType(parameters))
            {
                throw Error("rope_parameters.rope_type", $"only the default RoPE is supported, got {parameters.ToJsonString()}");
            }
            if (parameters.TryGetPropertyValue("rope_theta", out var theta) && theta is not null)
            {
                return AsDouble("rope_parameters.rope_theta", theta);
            }
        }
        return Double("rope_theta") ?? 10000.0;
    }

    private static bool IsDefaultRopeType(JsonNode node)
    {
        if (node is not JsonObject obj)
        {
            return false;
        }
        var type = (obj["rope_type"] ?? obj["type"]) is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        return type is null or "default";
    }

    private void CheckLayerTypes()
    {
        if (!root.TryGetPropertyValue("layer_types", out var node) || node is null)
        {
            return;
        }
        if (node is not JsonArray types)
        {
            throw Error("layer_types", "expected an array");
        }
        for (var i = 0; i < types.Count; i++)
        {
            var type = types[i] is JsonValue v && v.TryGetValue(out string? s) ? s : types[i]?.ToJsonString();
            if (type != "full_attention")
            {
                throw Error("layer_types", $"layer {i} is '{type}'; only full_attention is supported");
            }
        }
    }

    private AttentionMode Attention(bool isDream) => String("attention") switch
    {
        null => isDream ? AttentionMode.Bidirectional : AttentionMode.Causal,
        "bidirectional" => AttentionMode.Bidirectional,
        "causal" => AttentionMode.Causal,
        var other => throw Error("attention", $"must be 'bidirectional' or 'causal', got '{other}'"),
    };

    private string Dtype()
    {
        // transformers >= 5 writes "dtype", older versions "torch_dtype".
        var field = root["dtype"] is not null ? "dtype" : "torch_dtype";
        return String(field) switch
        {
            null => "float32",
            "float32" or "float" => "float32",
            "bfloat16" => "bfloat16",
            "float16" or "half" => "float16",
            var other => throw Error(field, $"unsupported dtype '{other}' (supported: float32, bfloat16, float16)"),
        };
    }

    /// <summary>HF allows a list of ids (several end tokens); the first is the one we use.</summary>
    private int? FirstTokenId(string field)
    {
        if (root[field] is JsonArray list)
        {
            return list.Count == 0 ? null : AsInt(field, list[0] ?? throw Error(field, "null inside the list"));
        }
        return Int(field);
    }

    private int RequiredInt(string field) => Int(field) ?? throw Error(field, "required but missing");

    private int? Int(string field) => root[field] is { } node ? AsInt(field, node) : null;

    private double? Double(string field) => root[field] is { } node ? AsDouble(field, node) : null;

    private bool? Bool(string field)
    {
        if (root[field] is not { } node)
        {
            return null;
        }
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, $"expected true or false, got {node.ToJsonString()}"),
        };
    }

    private string? String(string field)
    {
        if (root[field] is not { } node)
        {
            return null;
        }
        return node.GetValueKind() == JsonValueKind.String
            ? node.GetValue<string>()
            : throw Error(field, $"expected a string, got {node.ToJsonString()}");
    }

    private int AsInt(string field, JsonNode node)
    {
        if (node.GetValueKind() == JsonValueKind.Number && node is JsonValue v)
        {
            if (v.TryGetValue(out int i))
            {
                return i;
            }
            if (v.TryGetValue(out double d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
            {
                return (int)d;
            }
        }
        throw Error(field, $"expected an integer, got {node.ToJsonString()}");
    }

    private double AsDouble(string field, JsonNode node)
    {
        if (node.GetValueKind() == JsonValueKind.Number && node is JsonValue v && v.TryGetValue(out double d))
        {
            return d;
        }
        throw Error(field, $"expected a number, got {node.ToJsonString()}");
    }

    private ModelConfigException Error(string field, string message) => new(field, message, source);
}
