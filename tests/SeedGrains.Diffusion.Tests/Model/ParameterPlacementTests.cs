using SeedGrains.Diffusion.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Tests.Model;

/// <summary>A model created on a given device and dtype: every parameter is made there, none on the CPU first.</summary>
public sealed class ParameterPlacementTests
{
    [Fact]
    public void EveryParameterIsCreatedOnTheGivenDeviceInTheGivenDtype()
    {
        // The meta device holds shapes only: a parameter that was built on the CPU (and moved) would not be there.
        using var model = new Qwen2Model(TinyModels.TiedConfig(), new Device(DeviceType.META), ScalarType.BFloat16);
        Assert.All(model.named_parameters(), p =>
        {
            Assert.Equal(DeviceType.META, p.parameter.device.type);
            Assert.Equal(ScalarType.BFloat16, p.parameter.dtype);
        });
    }

    [Fact]
    public void OnTheCpuItIsTheRandomModelOfTheSameSeed()
    {
        var untied = TinyModels.TiedConfig() with { TieWordEmbeddings = false };
        torch.manual_seed(5);
        using var placed = new Qwen2Model(untied, CPU, ScalarType.Float32);
        torch.manual_seed(5);
        using var plain = new Qwen2Model(untied);
        var expected = plain.state_dict();
        foreach (var (name, tensor) in placed.state_dict())
        {
            Assert.True(tensor.equal(expected[name]).item<bool>(), name);
        }
        Assert.Contains(placed.named_parameters(), p => p.name == "lm_head.weight");
        Assert.All(placed.named_parameters().Where(p => p.name.EndsWith("norm.weight", StringComparison.Ordinal)),
            p => Assert.True(p.parameter.eq(1).all().item<bool>(), p.name));
        Assert.All(placed.named_parameters().Where(p => p.name.EndsWith(".bias", StringComparison.Ordinal)),
            p => Assert.True(p.parameter.eq(0).all().item<bool>(), p.name));
    }
}
