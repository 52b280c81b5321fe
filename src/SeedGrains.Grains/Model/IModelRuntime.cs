using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Grains.Model;

/// <summary>
/// The seam to the model library: one loaded model on one device. The silo's model worker batches steps into
/// <see cref="Stepper"/> on a dedicated thread; session grains use <see cref="Tokenizer"/> to map text onto tokens.
/// </summary>
public interface IModelRuntime
{
    /// <summary>Name used in worker keys and API responses (e.g. the checkpoint directory name).</summary>
    string ModelName { get; }

    /// <summary>Device the stepper runs on (e.g. "cpu", "cuda:0").</summary>
    string Device { get; }

    IDenoiseStepper Stepper { get; }

    ICodeTokenizer Tokenizer { get; }
}
