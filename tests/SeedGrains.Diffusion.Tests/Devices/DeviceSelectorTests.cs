using SeedGrains.Diffusion.Devices;
using TorchSharp;

namespace SeedGrains.Diffusion.Tests.Devices;

public sealed class DeviceSelectorTests
{
    [Fact]
    public void CpuIsAlwaysCpu()
    {
        Assert.Equal(DeviceType.CPU, DeviceSelector.Resolve("cpu", () => true, () => 1).Type);
    }

    [Fact]
    public void AutoFollowsAvailability()
    {
        Assert.Equal(DeviceType.CPU, DeviceSelector.Resolve("auto", () => false, () => 0).Type);
        Assert.Equal(DeviceType.CUDA, DeviceSelector.Resolve("auto", () => true, () => 1).Type);
        Assert.Equal(DeviceType.CPU, DeviceSelector.Resolve(null, () => false, () => 0).Type);
    }

    [Fact]
    public void CudaWithoutCudaSaysSo()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DeviceSelector.Resolve("cuda", () => false, () => 0));
        Assert.Contains("CUDA is not available", error.Message);
    }

    [Fact]
    public void CudaIndexIsChecked()
    {
        Assert.Equal((DeviceType.CUDA, 1), DeviceSelector.Resolve("cuda:1", () => true, () => 2));
        Assert.Throws<InvalidOperationException>(() => DeviceSelector.Resolve("cuda:2", () => true, () => 2));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void UnknownSpecIsRejected(string spec)
    {
        Assert.Throws<ArgumentException>(() => DeviceSelector.Resolve(spec, () => true, () => 1));
    }

    [Fact]
    public void RealSelectionOnThisMachine()
    {
        // On a CPU-only build, "cuda" must fail with the clear message rather than deep in libtorch.
        if (torch.cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, DeviceSelector.Select("cuda").type);
        }
        else
        {
            Assert.Throws<InvalidOperationException>(() => DeviceSelector.Select("cuda"));
            Assert.Equal(DeviceType.CPU, DeviceSelector.Select("auto").type);
        }
    }
}
