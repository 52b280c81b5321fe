using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Grains.Model;

/// <summary>Plain <see cref="IModelRuntime"/>: what a <see cref="ModelRuntimeFactory"/> usually returns.</summary>
public sealed record ModelRuntime(string ModelName, string Device, IDenoiseStepper Stepper, ICodeTokenizer Tokenizer) : IModelRuntime;
