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
    public void OnTheCpuTheWeightsAreInitialisedAsTheDefaultModelsAre()
    {
        // Not compared with a second model of the same seed: other tests draw from the process-wide generator meanwhile.
        var untied = TinyModels.TiedConfig() with { TieWordEmbeddings = false };
        using var model = new Qwen2Model(untied, CPU, ScalarType.BFloat16);
        Assert.Contains(model.named_parameters(), p => p.name == "lm_head.weight");
        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.Equal(ScalarType.BFloat16, parameter.dtype);
            Assert.Equal(DeviceType.CPU, parameter.device.type);
            using var values = parameter.detach().to(ScalarType.Float32);
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
                Assert.True(values.eq(1).all().item<bool>(), name);
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
                Assert.True(values.eq(0).all().item<bool>(), name);
            else // normal(0, 0.02), not the layers' own inits (std ≥ 0.06 here): with ≥ 768 values the sample std is 0.02 ± 0.0005
                Assert.InRange(values.std().item<float>(), 0.016f, 0.024f);
        }
    }
}
