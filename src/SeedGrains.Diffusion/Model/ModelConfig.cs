using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SeedGrains.Diffusion.Model;

/// <summary>
/// Shape and behaviour of a Qwen2-family network, read from / written to a HuggingFace <c>config.json</c>.
/// Besides HF's fields it carries our own optional <c>mask_token_id</c>, <c>shifted</c> (position i-1 predicts
/// token i, as in Dream / Open-dCoder; only the samplers care) and <c>attention</c> ("bidirectional" | "causal";
/// the mode the checkpoint was trained for). A config.json without <c>attention</c> is causal for model_type qwen2
/// (an AR Qwen2ForCausalLM) and bidirectional for Dream; a config built in code defaults to bidirectional.
/// </summary>
public sealed record ModelConfig(
    int VocabSize,
    int HiddenSize,
    int NumLayers,
    int NumHeads,
    int NumKvHeads,
    int IntermediateSize,
    double RmsNormEps = 1e-6,
    double RopeTheta = 10000.0,
    int MaxPositions = 32768,
    bool TieWordEmbeddings = false,
    bool Shifted = false,
    int? MaskTokenId = null,
    int? PadTokenId = null,
    int? EosTokenId = null,
    int? BosTokenId = null,
    AttentionMode Attention = AttentionMode.Bidirectional,
    bool AttentionBias = true,
    string Dtype = "float32",
    string ModelType = "qwen2")
{
    /// <summary>Width of one attention head.</summary>
    public int HeadDim => HiddenSize / NumHeads;

    /// <summary>Query heads per key/value head (grouped-query attention).</summary>
    public int KvGroups => NumHeads / NumKvHeads;

    /// <summary>
    /// The position whose hidden state predicts position <paramref name="i"/>: itself, or for a shifted (Dream) model
    /// the one before (position 0 has none; callers give a shifted model a leading end token, as training streams have).
    /// </summary>
    public int PredictorOf(int i) => Shifted ? Math.Max(0, i - 1) : i;

    private static readonly string[] SupportedDtypes = ["float32", "bfloat16", "float16"];

    /// <summary>Reads and validates a config.json file.</summary>
    public static ModelConfig Load(string configJsonPath)
    {
        if (!File.Exists(configJsonPath))
        {
            throw new FileNotFoundException($"model config not found: {configJsonPath}", configJsonPath);
        }
        return FromJson(File.ReadAllText(configJsonPath), configJsonPath);
    }

    /// <summary>Parses and validates config.json text; <paramref name="source"/> names the file in errors.</summary>
    public static ModelConfig FromJson(string json, string? source = null)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject
                ?? throw new ModelConfigException($"{source ?? "config.json"}: the top level is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelConfigException($"{source ?? "config.json"}: not valid JSON: {e.Message}", e);
        }
        return new ConfigJsonReader(root, source).Read();
    }

    /// <summary>Throws <see cref="ModelConfigException"/> naming the first field whose value cannot work.</summary>
    public void Validate(string? source = null)
    {
        RequirePositive("vocab_size", VocabSize, source);
        RequirePositive("hidden_size", HiddenSize, source);
        RequirePositive("num_hidden_layers", NumLayers, source);
        RequirePositive("num_attention_heads", NumHeads, source);
        RequirePositive("num_key_value_heads", NumKvHeads, source);
        RequirePositive("intermediate_size", IntermediateSize, source);
        RequirePositive("max_position_embeddings", MaxPositions, source);
        if (HiddenSize % NumHeads != 0)
        {
            throw new ModelConfigException("num_attention_heads", $"hidden_size {HiddenSize} is not divisible by {NumHeads} heads", source);
        }
        if (NumHeads % NumKvHeads != 0)
        {
            throw new ModelConfigException("num_key_value_heads", $"{NumHeads} query heads are not a multiple of {NumKvHeads} key/value heads", source);
        }
        if (HeadDim % 2 != 0)
        {
            throw new ModelConfigException("num_attention_heads", $"head dim {HeadDim} must be even for rotary embeddings", source);
        }
        if (!(RmsNormEps > 0) || double.IsInfinity(RmsNormEps))
        {
            throw new ModelConfigException("rms_norm_eps", $"must be a positive number, got {RmsNormEps}", source);
        }
        if (!(RopeTheta > 0) || double.IsInfinity(RopeTheta))
        {
            throw new ModelConfigException("rope_theta", $"must be a positive number, got {RopeTheta}", source);
        }
        if (!SupportedDtypes.Contains(Dtype))
        {
            throw new ModelConfigException("dtype", $"unsupported dtype '{Dtype}' (supported: {string.Join(", ", SupportedDtypes)})", source);
        }
        // Only our own mask id is range-checked: the samplers write it into inputs. HF's bos/eos/pad ids are
        // sometimes tokenizer ids beyond a resized vocabulary, which must not stop a checkpoint from loading.
        RequireTokenId("mask_token_id", MaskTokenId, source);
    }

    /// <summary>Writes config.json (HF field names plus ours) so that <see cref="Load"/> gives this config back.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>The config.json text.</summary>
    public string ToJson()
    {
        var isDream = string.Equals(ModelType, "dream", StringComparison.OrdinalIgnoreCase);
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray(isDream ? "DreamModel" : "Qwen2ForCausalLM"),
            ["model_type"] = ModelType,
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["num_hidden_layers"] = NumLayers,
            ["num_attention_heads"] = NumHeads,
            ["num_key_value_heads"] = NumKvHeads,
            ["head_dim"] = HeadDim,
            ["intermediate_size"] = IntermediateSize,
            ["hidden_act"] = "silu",
            ["rms_norm_eps"] = RmsNormEps,
            // Both spellings: transformers >= 5 reads rope_parameters, older versions read rope_theta.
            ["rope_theta"] = RopeTheta,
            ["rope_parameters"] = new JsonObject { ["rope_theta"] = RopeTheta, ["rope_type"] = "default" },
            ["rope_scaling"] = null,
            ["max_position_embeddings"] = MaxPositions,
            ["use_sliding_window"] = false,
            ["sliding_window"] = null,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["attention_bias"] = AttentionBias,
            ["torch_dtype"] = Dtype,
            ["dtype"] = Dtype,
            ["bos_token_id"] = BosTokenId,
            ["eos_token_id"] = EosTokenId,
            ["pad_token_id"] = PadTokenId,
            ["mask_token_id"] = MaskTokenId,
            ["shifted"] = Shifted,
            ["attention"] = Attention == AttentionMode.Causal ? "causal" : "bidirectional",
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static void RequirePositive(string field, long value, string? source)
    {
        if (value <= 0)
        {
            throw new ModelConfigException(field, $"must be positive, got {value.ToString(CultureInfo.InvariantCulture)}", source);
        }
    }

    private void RequireTokenId(string field, int? id, string? source)
    {
        if (id is { } v && (v < 0 || v >= VocabSize))
        {
            throw new ModelConfigException(field, $"token id {v} is outside the vocabulary [0, {VocabSize})", source);
        }
    }
}
