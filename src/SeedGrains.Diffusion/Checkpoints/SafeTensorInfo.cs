using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Checkpoints;

/// <summary>One header entry of a safetensors file: dtype, shape and byte range within the data section.</summary>
public sealed record SafeTensorInfo(string Name, string DtypeName, ScalarType Dtype, int ElementSize, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
