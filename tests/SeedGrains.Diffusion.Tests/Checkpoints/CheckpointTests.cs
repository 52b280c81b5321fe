using System.Text.Json.Nodes;
using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Tests.Checkpoints;

/// <summary>HF-layout save/load on a config unlike the fixture's (tied head, GQA 3:1, rope_theta 1e6).</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly Qwen2Model model = TinyModels.Create(TinyModels.TiedConfig());
    private readonly IDisposable noGrad = no_grad();
    private readonly Tensor ids = TinyModels.RandomIds(2, 12, 97, 31).DetachFromDisposeScope();

    public void Dispose()
    {
        ids.Dispose();
        noGrad.Dispose();
        model.Dispose();
    }

    [Fact]
    public void TiedSaveLoadGivesIdenticalLogitsAndNoLmHead()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        Checkpoint.Save(model, dir.Path);
        using (var reader = SafeTensorsReader.Open(dir.File(Checkpoint.SingleFile)))
        {
            Assert.DoesNotContain("lm_head.weight", reader.Tensors.Keys);
            Assert.Contains("model.embed_tokens.weight", reader.Tensors.Keys);
            Assert.Contains("model.layers.2.self_attn.q_proj.bias", reader.Tensors.Keys);
            Assert.Equal(2 + 3 * 12, reader.Tensors.Count);   // embed + final norm, 12 per layer, no lm_head
        }
        using var loaded = Checkpoint.Load(dir.Path, CPU);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal(ScalarType.Float32, loaded.Dtype);
        foreach (var mode in new[] { AttentionMode.Bidirectional, AttentionMode.Causal })
        {
            Assert.Equal(0f, TinyModels.MaxAbsDiff(model.Forward(ids, mode), loaded.Forward(ids, mode)));
        }
    }

    [Fact]
    public void ShardedSaveLoadGivesIdenticalLogits()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        Checkpoint.Save(model, dir.Path, maxShardBytes: 40_000);
        Assert.False(File.Exists(dir.File(Checkpoint.SingleFile)));
        var index = JsonNode.Parse(File.ReadAllText(dir.File(Checkpoint.IndexFile)))!;
        var weightMap = index["weight_map"]!.AsObject();
        var shards = weightMap.Select(kv => kv.Value!.GetValue<string>()).Distinct().ToList();
        Assert.True(shards.Count >= 3, $"{shards.Count} shards");
        Assert.All(shards, s => Assert.Matches(@"^model-\d{5}-of-\d{5}\.safetensors$", s));
        Assert.Equal(model.state_dict().Count, weightMap.Count);
        Assert.Equal(model.state_dict().Values.Sum(t => t.numel() * 4), index["metadata"]!["total_size"]!.GetValue<long>());

        using var loaded = Checkpoint.Load(dir.Path, CPU);
        Assert.Equal(0f, TinyModels.MaxAbsDiff(model.Forward(ids, AttentionMode.Bidirectional), loaded.Forward(ids, AttentionMode.Bidirectional)));

        // Saving again unsharded replaces the shards (a stale index must not shadow the new file).
        Checkpoint.Save(model, dir.Path);
        Assert.False(File.Exists(dir.File(Checkpoint.IndexFile)));
        Assert.Empty(Directory.GetFiles(dir.Path, "model-*"));
    }

    [Fact]
    public void Bf16SaveLoadIsClose()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        Checkpoint.Save(model, dir.Path, ScalarType.BFloat16);
        Assert.Equal("bfloat16", ModelConfig.Load(dir.File(Checkpoint.ConfigFile)).Dtype);

        // As stored: a bf16 model. Its logits follow the fp32 ones to within bf16 precision.
        using var asStored = Checkpoint.Load(dir.Path, CPU);
        Assert.Equal(ScalarType.BFloat16, asStored.Dtype);
        var reference = model.Forward(ids, AttentionMode.Bidirectional);
        var bf16 = asStored.Forward(ids, AttentionMode.Bidirectional);
        Assert.Equal(ScalarType.BFloat16, bf16.dtype);
        var scale = reference.abs().max().item<float>();
        var diff = TinyModels.MaxAbsDiff(reference, bf16);
        Assert.True(diff < 0.05 * scale, $"bf16 max diff {diff} vs logit scale {scale}");

        // Upcast on load: every weight is exactly the bf16 rounding of the original.
        using var upcast = Checkpoint.Load(dir.Path, CPU, ScalarType.Float32);
        var originals = model.state_dict();
        foreach (var (name, loaded) in upcast.state_dict())
        {
            Assert.Equal(ScalarType.Float32, loaded.dtype);
            Assert.True(TinyModels.Same(loaded, originals[name].to(ScalarType.BFloat16).to(ScalarType.Float32)), name);
        }
    }

    [Fact]
    public void Fp16CheckpointsAreRead()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        Checkpoint.Save(model, dir.Path, ScalarType.Float16);
        using var loaded = Checkpoint.Load(dir.Path, CPU, ScalarType.Float32);
        var originals = model.state_dict();
        foreach (var (name, tensor) in loaded.state_dict())
        {
            Assert.True(TinyModels.Same(tensor, originals[name].to(ScalarType.Float16).to(ScalarType.Float32)), name);
        }
    }

    [Fact]
    public void FixtureSavesBackInHfLayout()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        using var fixture = Checkpoint.Load(TinyModels.FixtureDir, CPU);
        Checkpoint.Save(fixture, dir.Path);
        using var original = SafeTensorsReader.Open(Path.Combine(TinyModels.FixtureDir, Checkpoint.SingleFile));
        using var saved = SafeTensorsReader.Open(dir.File(Checkpoint.SingleFile));
        Assert.Equal(original.Tensors.Keys.Order(), saved.Tensors.Keys.Order());   // untied: lm_head.weight included
        foreach (var name in original.Tensors.Keys)
        {
            Assert.True(TinyModels.Same(original.Read(name), saved.Read(name)), name);
        }
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        using var dir = SavedCopy();
        RewriteWeights(dir, tensors => tensors.Remove("model.layers.1.mlp.up_proj.weight"));
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path, CPU));
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.weight'", error.Message);
    }

    [Fact]
    public void ExtraTensorIsNamed()
    {
        using var dir = SavedCopy();
        RewriteWeights(dir, tensors => tensors["model.layers.0.self_attn.o_proj.bias"] = zeros(48));
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path, CPU));
        Assert.Contains("unexpected tensor 'model.layers.0.self_attn.o_proj.bias'", error.Message);
    }

    [Fact]
    public void LmHeadInATiedCheckpointIsNamedWithAHint()
    {
        using var dir = SavedCopy();
        RewriteWeights(dir, tensors => tensors["lm_head.weight"] = zeros(97, 48));
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path, CPU));
        Assert.Contains("'lm_head.weight'", error.Message);
        Assert.Contains("tie_word_embeddings", error.Message);
    }

    [Fact]
    public void MisShapedTensorIsNamed()
    {
        using var dir = SavedCopy();
        RewriteWeights(dir, tensors => tensors["model.layers.2.self_attn.k_proj.weight"] = zeros(24, 48));
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path, CPU));
        Assert.Contains("'model.layers.2.self_attn.k_proj.weight'", error.Message);
        Assert.Contains("[24, 48]", error.Message);
        Assert.Contains("[16, 48]", error.Message);
    }

    [Fact]
    public void IntegerWeightIsNamed()
    {
        using var dir = SavedCopy();
        RewriteWeights(dir, tensors => tensors["model.norm.weight"] = ones(48, ScalarType.Int64));
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path, CPU));
        Assert.Contains("'model.norm.weight'", error.Message);
    }

    [Fact]
    public void ShardIndexDisagreeingWithShardsIsNamed()
    {
        using var dir = new TempDir();
        Checkpoint.Save(model, dir.Path, maxShardBytes: 40_000);
        var index = JsonNode.Parse(File.ReadAllText(dir.File(Checkpoint.IndexFile)))!;
        var map = index["weight_map"]!.AsObject();
        var first = map.First(kv => kv.Value!.GetValue<string>() != map["model.norm.weight"]!.GetValue<string>());
        map["model.norm.weight"] = first.Value!.GetValue<string>();
        File.WriteAllText(dir.File(Checkpoint.IndexFile), index.ToJsonString());
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path, CPU));
        Assert.Contains("'model.norm.weight'", error.Message);
    }

    [Fact]
    public void UnsupportedConfigFieldIsNamed()
    {
        using var dir = SavedCopy();
        var config = JsonNode.Parse(File.ReadAllText(dir.File(Checkpoint.ConfigFile)))!.AsObject();
        config["use_sliding_window"] = true;
        File.WriteAllText(dir.File(Checkpoint.ConfigFile), config.ToJsonString());
        var error = Assert.Throws<ModelConfigException>(() => Checkpoint.Load(dir.Path, CPU));
        Assert.Equal("use_sliding_window", error.Field);
        Assert.Contains("config.json", error.Message);
    }

    [Fact]
    public void MissingWeightsFileIsReported()
    {
        using var dir = SavedCopy();
        File.Delete(dir.File(Checkpoint.SingleFile));
        Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(dir.Path, CPU));
        Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Load(dir.File("nope"), CPU));
    }

    private TempDir SavedCopy()
    {
        var dir = new TempDir();
        Checkpoint.Save(model, dir.Path);
        return dir;
    }

    private static void RewriteWeights(TempDir dir, Action<Dictionary<string, Tensor>> edit)
    {
        using var scope = NewDisposeScope();
        var path = dir.File(Checkpoint.SingleFile);
        Dictionary<string, Tensor> tensors;
        using (var reader = SafeTensorsReader.Open(path))
        {
            tensors = reader.Tensors.Keys.ToDictionary(n => n, reader.Read);
        }
        edit(tensors);
        SafeTensorsWriter.Write(path, tensors.ToList());
    }
}
