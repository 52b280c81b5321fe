using SeedGrains.Diffusion.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Tests.Devices;

public sealed class ComputeDtypeSelectorTests
{
    [Theory]
    [InlineData("float32", ScalarType.Float32)]
    [InlineData("FP32", ScalarType.Float32)]
    [InlineData(null, ScalarType.Float32)]
    [InlineData(" ", ScalarType.Float32)]
    [InlineData("bfloat16", ScalarType.BFloat16)]
    [InlineData("bf16", ScalarType.BFloat16)]
    public void ExplicitValuesAreTakenAsGiven(string? spec, ScalarType expected)
    {
        Assert.Equal(expected, ComputeDtypeSelector.Resolve(spec, DeviceType.CPU, () => throw new InvalidOperationException("auto only")));
    }

    [Fact]
    public void AutoPicksBFloat16OnlyOnACpuWithBFloat16Matmul()
    {
        Assert.Equal(ScalarType.BFloat16, ComputeDtypeSelector.Resolve("auto", DeviceType.CPU, () => true));
        Assert.Equal(ScalarType.Float32, ComputeDtypeSelector.Resolve("auto", DeviceType.CPU, () => false));
        Assert.Equal(ScalarType.Float32, ComputeDtypeSelector.Resolve("auto", DeviceType.CUDA, () => true));
    }

    [Fact]
    public void AnythingElseIsAClearErrorNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => ComputeDtypeSelector.Resolve("float16", DeviceType.CPU, () => true, "Model:Dtype"));
        Assert.Equal("Model:Dtype 'float16': expected float32 | bfloat16 | auto", error.Message);
    }

    [Fact]
    public void StoredWeightsTakeOnlyExplicitNames()
    {
        Assert.Null(ComputeDtypeSelector.ParseName(""));
        Assert.Equal(ScalarType.BFloat16, ComputeDtypeSelector.ParseName("BF16"));
        var error = Assert.Throws<ArgumentException>(() => ComputeDtypeSelector.ParseName("auto", "export --dtype"));
        Assert.Equal("export --dtype 'auto': expected float32 or bfloat16", error.Message);
    }

    [Fact]
    public void NamesAreTheOptionsOwn()
    {
        Assert.Equal("float32", ComputeDtypeSelector.NameOf(ScalarType.Float32));
        Assert.Equal("bfloat16", ComputeDtypeSelector.NameOf(ScalarType.BFloat16));
    }

    [Theory]
    [InlineData("flags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni", true)]
    [InlineData("flags\t\t: fpu amx_bf16 amx_tile", true)]
    [InlineData("flags\t\t: fpu sse2 avx2 avx512f avx512_vnni", false)]
    [InlineData("flags\t\t: avx512_bf16x", false)]
    [InlineData(null, false)]
    public void CpuFlagsAreMatchedWholeWord(string? flags, bool expected)
    {
        Assert.Equal(expected, ComputeDtypeSelector.CpuHasBFloat16Matmul(flags));
    }
}
