using TorchSharp;

namespace SeedGrains.Diffusion.Tests;

/// <summary>The Debian 12 loading patch works: libtorch loads and computes in this process.</summary>
public sealed class TorchLoadsTests
{
    [Fact]
    public void TorchSharpLoadsAndMultiplies()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var b = torch.matmul(a, a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }
}
