using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Checkpoints;

/// <summary>
/// Reads a safetensors file: 8-byte little-endian header length, a JSON header
/// (<c>name → {dtype, shape, data_offsets}</c>, optional <c>__metadata__</c>), then raw little-endian tensor data.
/// The header is validated up front (dtype known, byte range inside the file and matching the shape), so a
/// damaged file fails naming the tensor before any data is read.
/// </summary>
public sealed class SafeTensorsReader : IDisposable
{
    private const long MaxHeaderBytes = 100L << 20;
    private const int ChunkBytes = 1 << 30;
    private readonly SafeFileHandle handle;
    private readonly long dataStart;

    private SafeTensorsReader(string path, SafeFileHandle handle, long dataStart,
                              Dictionary<string, SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        this.handle = handle;
        this.dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>Header entries by tensor name, in file order.</summary>
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    /// <summary>The optional <c>__metadata__</c> string map.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafeTensorsReader Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors I/O assumes a little-endian machine");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"safetensors file not found: {path}", path);
        }
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var fileLength = RandomAccess.GetLength(handle);
            Span<byte> lengthBytes = stackalloc byte[8];
            if (fileLength < 8 || RandomAccess.Read(handle, lengthBytes, 0) != 8)
            {
                throw new InvalidDataException($"{path}: too short for a safetensors file ({fileLength} bytes)");
            }
            var headerLength = BitConverter.ToInt64(lengthBytes);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > fileLength)
            {
                throw new InvalidDataException($"{path}: invalid safetensors header length {headerLength} (file is {fileLength} bytes)");
            }
            var headerBytes = new byte[headerLength];
            ReadExactly(handle, headerBytes, 8, path);
            var dataStart = 8 + headerLength;
            var (tensors, metadata) = ParseHeader(headerBytes, path, fileLength - dataStart);
            return new SafeTensorsReader(path, handle, dataStart, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => Tensors.ContainsKey(name);

    /// <summary>The tensor as stored (dtype and shape), on the CPU, in the caller's dispose scope.</summary>
    public Tensor Read(string name)
    {
        if (!Tensors.TryGetValue(name, out var info))
        {
            throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");
        }
        var tensor = empty(info.Shape, info.Dtype);
        try
        {
            // Fill the tensor's own memory directly, in chunks because a Span is int-sized.
            using var flat = tensor.view(-1);
            var elementSize = info.ElementSize;
            var elementsPerChunk = ChunkBytes / elementSize;
            for (long start = 0; start < flat.numel(); start += elementsPerChunk)
            {
                var count = Math.Min(elementsPerChunk, flat.numel() - start);
                using var chunk = flat.narrow(0, start, count);
                ReadExactly(handle, chunk.bytes, dataStart + info.Begin + start * elementSize, Path);
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    public void Dispose() => handle.Dispose();

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(handle, buffer, offset);
            if (read <= 0)
            {
                throw new InvalidDataException($"{path}: unexpected end of file at byte {offset}");
            }
            buffer = buffer[read..];
            offset += read;
        }
    }

    private static (Dictionary<string, SafeTensorInfo>, Dictionary<string, string>) ParseHeader(byte[] header, string path, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(Encoding.UTF8.GetString(header).TrimEnd(' ', '\0'));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: safetensors header is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: safetensors header is not a JSON object");
            }
            var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (var entry in property.Value.EnumerateObject())
                    {
                        metadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
                    }
                    continue;
                }
                tensors[property.Name] = ParseEntry(property, path, dataLength);
            }
            return (tensors, metadata);
        }
    }

    private static SafeTensorInfo ParseEntry(JsonProperty property, string path, long dataLength)
    {
        var name = property.Name;
        try
        {
            var entry = property.Value;
            var dtypeName = entry.GetProperty("dtype").GetString() ?? "";
            if (!SafeTensorsDtype.TryParse(dtypeName, out var dtype, out var elementSize))
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has unsupported dtype '{dtypeName}'");
            }
            var shape = entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (shape.Any(d => d < 0) || offsets.Length != 2)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has a malformed shape or data_offsets");
            }
            var elements = shape.Aggregate(1L, (a, b) => checked(a * b));
            var (begin, end) = (offsets[0], offsets[1]);
            if (begin < 0 || end < begin || end > dataLength)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' data_offsets [{begin}, {end}] fall outside the data section ({dataLength} bytes)");
            }
            if (end - begin != elements * elementSize)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' holds {end - begin} bytes but {dtypeName} [{string.Join(", ", shape)}] needs {elements * elementSize}");
            }
            return new SafeTensorInfo(name, dtypeName, dtype, elementSize, shape, begin, end);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' has a malformed header entry: {e.Message}", e);
        }
    }
}
