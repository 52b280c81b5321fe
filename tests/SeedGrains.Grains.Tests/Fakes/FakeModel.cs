using SeedGrains.Grains.Model;

namespace SeedGrains.Tests.Fakes;

/// <summary>A <see cref="ModelRuntimeFactory"/> serving one shared <see cref="FakeStepper"/> on every device.</summary>
public static class FakeModel
{
    public const string Name = "fake-model";

    public static ModelRuntimeFactory Factory(FakeStepper stepper) =>
        (_, device, _) => new ModelRuntime(Name, device, stepper, new CharTokenizer());
}
