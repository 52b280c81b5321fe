using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeedGrains.Diffusion.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Checkpoints;

/// <summary>
/// HF-layout checkpoints: <c>config.json</c> plus either <c>model.safetensors</c> or
/// <c>model.safetensors.index.json</c> with shards, HF tensor names. Loading is all-or-nothing: every expected
/// tensor must be present with its shape, nothing unexpected may be there, or it fails naming the tensor.
/// A tied model has no <c>lm_head.weight</c> on disk, as HF writes it.
/// </summary>
public static class Checkpoint
{
    public const string ConfigFile = "config.json";
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>Loads a checkpoint directory onto <paramref name="device"/>; <paramref name="dtype"/> null = as stored.</summary>
    public static Qwen2Model Load(string dir, Device device, ScalarType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"checkpoint directory not found: {dir}");
        }
        var config = ModelConfig.Load(Path.Combine(dir, ConfigFile));
        using var source = CheckpointTensors.Open(dir);

        // Names, shapes and dtypes are checked against the model's layout on the meta device (no memory, no random
        // numbers); the model itself is then created directly on the device in the compute dtype, so a large one is
        // never built on the CPU in float32 first.
        using (var layout = new Qwen2Model(config, initialize: false, new ParameterPlacement(new Device(DeviceType.META), null)))
        {
            CheckNames(layout.state_dict().Keys, source, config, dir);
            foreach (var (name, parameter) in layout.state_dict())
            {
                CheckTensor(source, name, parameter.shape);
            }
        }

        var target = dtype ?? source.Info("model.embed_tokens.weight").Dtype;
        SafeTensorsDtype.ToConfigName(target); // rejects a non-model dtype before any work
        var model = new Qwen2Model(config, initialize: false, new ParameterPlacement(device, target));
        try
        {
            using (no_grad())
            {
                foreach (var (name, parameter) in model.state_dict())
                {
                    using var stored = source.Read(name);
                    parameter.copy_(stored);
                }
            }
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes config.json and the weights in <paramref name="dtype"/>; more than <paramref name="maxShardBytes"/>
    /// of weights are split into <c>model-0000i-of-0000n.safetensors</c> shards with an index. Files of the other
    /// layout left in <paramref name="dir"/> by an earlier save are removed so they cannot shadow this one.
    /// </summary>
    public static void Save(Qwen2Model model, string dir, ScalarType dtype = ScalarType.Float32, long maxShardBytes = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        var dtypeName = SafeTensorsDtype.ToConfigName(dtype);
        Directory.CreateDirectory(dir);

        var state = model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var elementSize = dtype == ScalarType.Float32 ? 4 : 2;
        var shards = new List<List<KeyValuePair<string, Tensor>>> { new() };
        long shardBytes = 0;
        foreach (var entry in state)
        {
            var bytes = entry.Value.numel() * elementSize;
            if (shards[^1].Count > 0 && shardBytes + bytes > maxShardBytes)
            {
                shards.Add([]);
                shardBytes = 0;
            }
            shards[^1].Add(entry);
            shardBytes += bytes;
        }

        RemovePreviousWeights(dir);
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        var weightMap = new JsonObject();
        for (var i = 0; i < shards.Count; i++)
        {
            var fileName = shards.Count == 1
                ? SingleFile
                : string.Create(CultureInfo.InvariantCulture, $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors");
            using var scope = NewDisposeScope();
            var converted = shards[i].Select(kv => KeyValuePair.Create(kv.Key, kv.Value.detach().to(dtype).cpu())).ToList();
            SafeTensorsWriter.Write(Path.Combine(dir, fileName), converted, metadata);
            foreach (var (name, _) in shards[i])
            {
                weightMap[name] = fileName;
            }
        }
        if (shards.Count > 1)
        {
            var index = new JsonObject
            {
                ["metadata"] = new JsonObject { ["total_size"] = state.Sum(kv => kv.Value.numel() * elementSize) },
                ["weight_map"] = weightMap,
            };
            File.WriteAllText(Path.Combine(dir, IndexFile), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
        (model.Config with { Dtype = dtypeName }).Save(Path.Combine(dir, ConfigFile));
    }

    private static void CheckTensor(CheckpointTensors source, string name, long[] shape)
    {
        var info = source.Info(name);
        if (!info.Shape.SequenceEqual(shape))
        {
            throw new InvalidDataException($"{source.FileOf(name)}: tensor '{name}' has shape {info.ShapeText} but the config needs [{string.Join(", ", shape)}]");
        }
        if (info.Dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float64))
        {
            throw new InvalidDataException($"{source.FileOf(name)}: tensor '{name}' is {info.DtypeName}; model weights must be floating point");
        }
    }

    private static void CheckNames(IEnumerable<string> expectedNames, CheckpointTensors source, ModelConfig config, string dir)
    {
        var expected = expectedNames.ToHashSet(StringComparer.Ordinal);
        var missing = expected.Where(n => !source.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{dir}: checkpoint is missing tensor '{missing[0]}'" + More(missing));
        }
        // HF checkpoints from before transformers 4.3x may carry the derived rotary buffer; it is recomputed here.
        var extra = source.Names.Where(n => !expected.Contains(n) && !n.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal))
                                .Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
        {
            var hint = extra[0] == "lm_head.weight" && config.TieWordEmbeddings
                ? " (config.json says tie_word_embeddings: true, so the head is the embedding matrix)"
                : "";
            throw new InvalidDataException($"{source.FileOf(extra[0])}: unexpected tensor '{extra[0]}'{hint}" + More(extra));
        }
    }

    private static string More(List<string> names) =>
        names.Count > 1 ? $" (and {names.Count - 1} more: {string.Join(", ", names.Skip(1).Take(5))}{(names.Count > 6 ? ", ..." : "")})" : "";

    private static void RemovePreviousWeights(string dir)
    {
        foreach (var path in Directory.EnumerateFiles(dir, "model*.safetensors*"))
        {
            var name = Path.GetFileName(path);
            var ours = name == SingleFile || name == IndexFile
                || (name.StartsWith("model-", StringComparison.Ordinal) && name.Contains("-of-", StringComparison.Ordinal) && name.EndsWith(".safetensors", StringComparison.Ordinal));
            if (ours)
            {
                File.Delete(path);
            }
        }
    }
}
