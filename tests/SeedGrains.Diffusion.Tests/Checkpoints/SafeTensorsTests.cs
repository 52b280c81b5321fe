using System.Text;
using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Tests.Checkpoints;

public sealed class SafeTensorsTests
{
    [Fact]
    public void ReadsTheHfFixtureHeader()
    {
        using var reader = SafeTensorsReader.Open(Path.Combine(TinyModels.FixtureDir, "model.safetensors"));
        Assert.Equal(27, reader.Tensors.Count);
        Assert.Equal("pt", reader.Metadata["format"]);
        var info = reader.Tensors["model.layers.0.self_attn.k_proj.weight"];
        Assert.Equal("F32", info.DtypeName);
        Assert.Equal(new long[] { 32, 64 }, info.Shape);
    }

    [Fact]
    public void ReadsReferenceIntegerTensors()
    {
        using var reader = SafeTensorsReader.Open(Path.Combine(TinyModels.FixtureDir, "reference.safetensors"));
        using var scope = NewDisposeScope();
        var mask = reader.Read("key_mask");
        Assert.Equal(ScalarType.Byte, mask.dtype);
        // Row 1 has positions 20..23 as padding (PROVENANCE.md).
        Assert.Equal(44L, mask.sum().item<long>());
        Assert.Equal(0, mask[1, 20].item<byte>());
        var ids = reader.Read("input_ids");
        Assert.Equal(ScalarType.Int64, ids.dtype);
        Assert.True(ids.max().item<long>() < 512);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Bool)]
    public void WriteThenReadGivesTheSameTensors(ScalarType dtype)
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var a = (randn([3, 5, 7], generator: generator) * 10).to(dtype);
        var b = (randn([11], generator: generator) * 10).to(dtype);
        var scalar = tensor(3.0f).to(dtype);
        var path = dir.File("t.safetensors");
        SafeTensorsWriter.Write(path, [new("a", a), new("b.weight", b), new("s", scalar)], new Dictionary<string, string> { ["format"] = "pt" });

        var bytes = File.ReadAllBytes(path);
        var headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);   // HF's layout: data aligned to 8 bytes
        Assert.StartsWith("{", Encoding.UTF8.GetString(bytes, 8, (int)headerLength));

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(new[] { "a", "b.weight", "s" }, reader.Tensors.Keys.Order());
        foreach (var (name, expected) in new[] { ("a", a), ("b.weight", b), ("s", scalar) })
        {
            var actual = reader.Read(name);
            Assert.Equal(dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(TinyModels.Same(actual, expected), name);
        }
    }

    [Fact]
    public void OffsetsOutsideTheFileNameTheTensor()
    {
        using var dir = new TempDir();
        var header = "{\"good\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"broken\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
        WriteRaw(dir.File("x.safetensors"), header, dataBytes: 16);
        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Open(dir.File("x.safetensors")));
        Assert.Contains("'broken'", error.Message);
    }

    [Fact]
    public void SizeNotMatchingShapeNamesTheTensor()
    {
        using var dir = new TempDir();
        var header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        WriteRaw(dir.File("x.safetensors"), header, dataBytes: 8);
        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Open(dir.File("x.safetensors")));
        Assert.Contains("'w'", error.Message);
    }

    [Fact]
    public void UnknownDtypeNamesTheTensor()
    {
        using var dir = new TempDir();
        var header = "{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        WriteRaw(dir.File("x.safetensors"), header, dataBytes: 2);
        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Open(dir.File("x.safetensors")));
        Assert.Contains("'q'", error.Message);
        Assert.Contains("F8_E4M3", error.Message);
    }

    [Fact]
    public void TruncatedFileIsRejected()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("x.safetensors"), BitConverter.GetBytes(1000L));
        Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Open(dir.File("x.safetensors")));
    }

    private static void WriteRaw(string path, string header, int dataBytes)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        using var stream = File.Create(path);
        stream.Write(BitConverter.GetBytes((long)headerBytes.Length));
        stream.Write(headerBytes);
        stream.Write(new byte[dataBytes]);
    }
}
