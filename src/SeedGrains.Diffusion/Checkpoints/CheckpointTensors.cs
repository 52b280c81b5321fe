using System.Text.Json;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Checkpoints;

/// <summary>
/// The tensors of a checkpoint directory by name, whether in one <c>model.safetensors</c> or in shards listed by
/// <c>model.safetensors.index.json</c>. The index and the shards must agree: a tensor the index places in a shard
/// that lacks it, or a shard tensor the index does not list, is an error naming it.
/// </summary>
internal sealed class CheckpointTensors : IDisposable
{
    private readonly Dictionary<string, SafeTensorsReader> readerOf;
    private readonly List<SafeTensorsReader> readers;

    private CheckpointTensors(Dictionary<string, SafeTensorsReader> readerOf, List<SafeTensorsReader> readers)
    {
        this.readerOf = readerOf;
        this.readers = readers;
    }

    public IEnumerable<string> Names => readerOf.Keys;

    public static CheckpointTensors Open(string dir)
    {
        var single = Path.Combine(dir, Checkpoint.SingleFile);
        var index = Path.Combine(dir, Checkpoint.IndexFile);
        if (File.Exists(single))
        {
            var reader = SafeTensorsReader.Open(single);
            return new CheckpointTensors(reader.Tensors.Keys.ToDictionary(n => n, _ => reader, StringComparer.Ordinal), [reader]);
        }
        if (File.Exists(index))
        {
            return OpenSharded(dir, index);
        }
        throw new FileNotFoundException($"{dir}: no {Checkpoint.SingleFile} and no {Checkpoint.IndexFile}");
    }

    public bool Contains(string name) => readerOf.ContainsKey(name);

    public SafeTensorInfo Info(string name) => readerOf[name].Tensors[name];

    public string FileOf(string name) => readerOf.TryGetValue(name, out var reader) ? reader.Path : "checkpoint";

    public Tensor Read(string name) => readerOf[name].Read(name);

    public void Dispose()
    {
        foreach (var reader in readers)
        {
            reader.Dispose();
        }
    }

    private static CheckpointTensors OpenSharded(string dir, string indexPath)
    {
        var weightMap = ReadWeightMap(indexPath);
        var readers = new Dictionary<string, SafeTensorsReader>(StringComparer.Ordinal);
        try
        {
            var readerOf = new Dictionary<string, SafeTensorsReader>(StringComparer.Ordinal);
            foreach (var (name, shard) in weightMap)
            {
                if (shard.Contains('/') || shard.Contains('\\') || shard.Contains(".."))
                {
                    throw new InvalidDataException($"{indexPath}: tensor '{name}' points outside the checkpoint directory ('{shard}')");
                }
                if (!readers.TryGetValue(shard, out var reader))
                {
                    var shardPath = Path.Combine(dir, shard);
                    if (!File.Exists(shardPath))
                    {
                        throw new FileNotFoundException($"{indexPath}: shard '{shard}' of tensor '{name}' does not exist", shardPath);
                    }
                    reader = SafeTensorsReader.Open(shardPath);
                    readers[shard] = reader;
                }
                if (!reader.Contains(name))
                {
                    throw new InvalidDataException($"{indexPath}: tensor '{name}' is listed in shard '{shard}' but that shard does not contain it");
                }
                readerOf[name] = reader;
            }
            foreach (var (shard, reader) in readers)
            {
                var unlisted = reader.Tensors.Keys.FirstOrDefault(n => !weightMap.TryGetValue(n, out var s) || s != shard);
                if (unlisted is not null)
                {
                    throw new InvalidDataException($"{reader.Path}: tensor '{unlisted}' is not listed for this shard in {Checkpoint.IndexFile}");
                }
            }
            return new CheckpointTensors(readerOf, readers.Values.ToList());
        }
        catch
        {
            foreach (var reader in readers.Values)
            {
                reader.Dispose();
            }
            throw;
        }
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(indexPath));
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{indexPath}: no 'weight_map' object");
            }
            return map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()
                ?? throw new InvalidDataException($"{indexPath}: tensor '{p.Name}' has no shard file name"), StringComparer.Ordinal);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{indexPath}: malformed index: {e.Message}", e);
        }
    }
}
