using System.Text.Json.Nodes;
using SeedGrains.Diffusion.Model;

namespace SeedGrains.Diffusion.Tests.Model;

public sealed class ModelConfigTests
{
    private static string FixtureConfigJson => File.ReadAllText(Path.Combine(TinyModels.FixtureDir, "config.json"));

    /// <summary>The fixture's config.json with one field replaced (or removed when value is null and remove is set).</summary>
    private static string WithField(string field, JsonNode? value, bool remove = false)
    {
        var root = JsonNode.Parse(FixtureConfigJson)!.AsObject();
        if (remove)
        {
            root.Remove(field);
        }
        else
        {
            root[field] = value;
        }
        return root.ToJsonString();
    }

    [Fact]
    public void ParsesTheHfFixture()
    {
        var config = ModelConfig.Load(Path.Combine(TinyModels.FixtureDir, "config.json"));
        Assert.Equal(512, config.VocabSize);
        Assert.Equal(64, config.HiddenSize);
        Assert.Equal(2, config.NumLayers);
        Assert.Equal(4, config.NumHeads);
        Assert.Equal(2, config.NumKvHeads);
        Assert.Equal(16, config.HeadDim);
        Assert.Equal(160, config.IntermediateSize);
        Assert.Equal(1e-6, config.RmsNormEps);
        Assert.Equal(10000.0, config.RopeTheta);
        Assert.Equal(256, config.MaxPositions);
        Assert.False(config.TieWordEmbeddings);
        Assert.False(config.Shifted);
        Assert.Null(config.MaskTokenId);
        Assert.Null(config.PadTokenId);
        Assert.Null(config.EosTokenId);
        Assert.Equal(AttentionMode.Causal, config.Attention);   // a plain Qwen2ForCausalLM
        Assert.True(config.AttentionBias);
        Assert.Equal("float32", config.Dtype);
    }

    [Fact]
    public void ReadsTheOlderTopLevelRopeTheta()
    {
        var root = JsonNode.Parse(FixtureConfigJson)!.AsObject();
        root.Remove("rope_parameters");
        root["rope_theta"] = 1000000.0;
        Assert.Equal(1e6, ModelConfig.FromJson(root.ToJsonString()).RopeTheta);
    }

    [Fact]
    public void PrefersRopeParametersOverTopLevel()
    {
        var root = JsonNode.Parse(FixtureConfigJson)!.AsObject();
        root["rope_theta"] = 5.0;
        Assert.Equal(10000.0, ModelConfig.FromJson(root.ToJsonString()).RopeTheta);
    }

    [Fact]
    public void ReadsOurOwnFieldsAndOldDtypeSpelling()
    {
        var root = JsonNode.Parse(FixtureConfigJson)!.AsObject();
        root.Remove("dtype");
        root["torch_dtype"] = "bfloat16";
        root["mask_token_id"] = 5;
        root["pad_token_id"] = 3;
        root["eos_token_id"] = new JsonArray(2, 4);
        root["shifted"] = true;
        root["attention"] = "bidirectional";
        root["attention_bias"] = false;
        root["some_future_field"] = new JsonObject { ["x"] = 1 };
        var config = ModelConfig.FromJson(root.ToJsonString());
        Assert.Equal("bfloat16", config.Dtype);
        Assert.Equal(5, config.MaskTokenId);
        Assert.Equal(3, config.PadTokenId);
        Assert.Equal(2, config.EosTokenId);
        Assert.True(config.Shifted);
        Assert.Equal(AttentionMode.Bidirectional, config.Attention);
        Assert.False(config.AttentionBias);
    }

    [Fact]
    public void DreamModelTypeIsShiftedAndBidirectional()
    {
        var config = ModelConfig.FromJson(WithField("model_type", "Dream"));
        Assert.True(config.Shifted);
        Assert.Equal(AttentionMode.Bidirectional, config.Attention);
    }

    [Fact]
    public void KeyValueHeadsDefaultToQueryHeads()
    {
        Assert.Equal(4, ModelConfig.FromJson(WithField("num_key_value_heads", null, remove: true)).NumKvHeads);
    }

    [Fact]
    public void SaveRoundTrips()
    {
        var dir = Directory.CreateTempSubdirectory("seedgrains-config-").FullName;
        try
        {
            foreach (var config in new[]
            {
                ModelConfig.Load(Path.Combine(TinyModels.FixtureDir, "config.json")),
                TinyModels.TiedConfig() with { Shifted = true, Attention = AttentionMode.Causal, Dtype = "bfloat16", BosTokenId = 2, AttentionBias = false, ModelType = "dream" },
            })
            {
                var path = Path.Combine(dir, "config.json");
                config.Save(path);
                Assert.Equal(config, ModelConfig.Load(path));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("rope_scaling", "{\"rope_type\": \"yarn\", \"factor\": 4.0}")]
    [InlineData("use_sliding_window", "true")]
    [InlineData("hidden_act", "\"gelu\"")]
    [InlineData("head_dim", "32")]
    [InlineData("layer_types", "[\"full_attention\", \"sliding_attention\"]")]
    [InlineData("dtype", "\"float8_e4m3fn\"")]
    [InlineData("attention", "\"sideways\"")]
    [InlineData("model_type", "\"llama4\"")]
    [InlineData("vocab_size", "\"many\"")]
    [InlineData("num_key_value_heads", "3")]
    [InlineData("mask_token_id", "512")]
    [InlineData("tie_word_embeddings", "\"yes\"")]
    [InlineData("rms_norm_eps", "0")]
    public void UnsupportedValueNamesTheField(string field, string valueJson)
    {
        var error = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson(WithField(field, JsonNode.Parse(valueJson)), "cfg.json"));
        Assert.Equal(field, error.Field);
        Assert.Contains($"'{field}'", error.Message);
        Assert.Contains("cfg.json", error.Message);
    }

    [Fact]
    public void NonDefaultRopeParametersNameTheField()
    {
        var error = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson(
            WithField("rope_parameters", JsonNode.Parse("{\"rope_theta\": 10000.0, \"rope_type\": \"linear\", \"factor\": 2.0}"))));
        Assert.Equal("rope_parameters.rope_type", error.Field);
    }

    [Fact]
    public void MissingRequiredFieldIsNamed()
    {
        var error = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson(WithField("intermediate_size", null, remove: true)));
        Assert.Equal("intermediate_size", error.Field);
    }

    [Fact]
    public void NullRopeScalingAndDisabledSlidingWindowAreFine()
    {
        var root = JsonNode.Parse(FixtureConfigJson)!.AsObject();
        root["rope_scaling"] = null;
        root["sliding_window"] = 4096;
        root["use_sliding_window"] = false;
        Assert.Equal(64, ModelConfig.FromJson(root.ToJsonString()).HiddenSize);
    }
}
