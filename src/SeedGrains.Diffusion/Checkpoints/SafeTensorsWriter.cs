using System.Text;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Checkpoints;

/// <summary>
/// Writes a safetensors file (the layout HF's safetensors library writes: header padded with spaces to a
/// multiple of 8 bytes, tensors back to back in the given order). Written to a temporary file and renamed, so
/// a crash never leaves a half-written file under the final name.
/// </summary>
public static class SafeTensorsWriter
{
    private const int ChunkBytes = 1 << 30;

    /// <summary>Writes the tensors as they are (dtype and shape); they may live on any device.</summary>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors I/O assumes a little-endian machine");
        }
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                meta[key] = value;
            }
            header["__metadata__"] = meta;
        }
        long offset = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (!seen.Add(name) || name == "__metadata__")
            {
                throw new ArgumentException($"tensor name '{name}' is duplicated or reserved", nameof(tensors));
            }
            var bytes = tensor.numel() * tensor.ElementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = SafeTensorsDtype.NameOf(tensor.dtype),
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var headerText = header.ToJsonString();
        var headerLength = Encoding.UTF8.GetByteCount(headerText);
        var padded = (headerLength + 7) / 8 * 8;
        var headerBytes = Encoding.UTF8.GetBytes(headerText + new string(' ', padded - headerLength));

        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            stream.Write(BitConverter.GetBytes((long)headerBytes.Length));
            stream.Write(headerBytes);
            foreach (var (_, tensor) in tensors)
            {
                WriteData(stream, tensor);
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static void WriteData(Stream stream, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var flat = tensor.detach().cpu().contiguous().view(-1);
        var elementsPerChunk = ChunkBytes / (int)tensor.ElementSize;
        for (long start = 0; start < flat.numel(); start += elementsPerChunk)
        {
            var count = Math.Min(elementsPerChunk, flat.numel() - start);
            stream.Write(flat.narrow(0, start, count).bytes);
        }
    }
}
