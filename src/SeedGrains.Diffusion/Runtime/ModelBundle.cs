using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Tokenization;
using SeedGrains.Diffusion.Training;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Runtime;

/// <summary>
/// A shipped model folder: config.json + safetensors weights + tokenizer.json, loaded together, with the special
/// token ids the samplers need. Whether it is a diffusion model or the AR baseline is the config's `attention`.
/// </summary>
public sealed class ModelBundle : IDisposable
{
    public required string Directory { get; init; }
    public required Qwen2Model Model { get; init; }
    public required CodeTokenizer Tokenizer { get; init; }
    public required TrainingVocabulary Vocabulary { get; init; }
    public required Device Device { get; init; }

    public SpecialTokenIds Specials => new(Vocabulary.Mask, Vocabulary.Pad, Vocabulary.End);
    public bool IsAutoregressive => Model.Config.Attention == AttentionMode.Causal;
    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Directory)));

    /// <param name="dtype">What the model computes in: float32 (the default), or bfloat16, which halves the memory and
    /// makes long forwards faster on CPUs with bfloat16 matrix instructions (<see cref="Devices.ComputeDtypeSelector"/>).</param>
    public static ModelBundle Load(string directory, Device device, ScalarType dtype = ScalarType.Float32)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
            throw new ArgumentException($"models run in float32 or bfloat16, not {dtype}", nameof(dtype));
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"model folder not found: {directory}");
        var tokenizerPath = Path.Combine(directory, "tokenizer.json");
        if (!File.Exists(tokenizerPath)) throw new FileNotFoundException($"{directory} has no tokenizer.json", tokenizerPath);
        var tokenizer = CodeTokenizer.Load(tokenizerPath);
        // Shipped weights may be stored in bfloat16 to halve the download; they are converted to the compute dtype.
        var model = Checkpoint.Load(directory, device, dtype);
        model.eval();
        return new ModelBundle
        {
            Directory = directory, Model = model, Tokenizer = tokenizer, Device = device,
            Vocabulary = VocabularyOf(tokenizer, model.Config.VocabSize),
        };
    }

    /// <summary>Special ids by their conventional names, and which ids end a line.</summary>
    public static TrainingVocabulary VocabularyOf(ICodeTokenizer tokenizer, int vocabSize)
    {
        int Required(params string[] names) =>
            names.Select(tokenizer.SpecialTokenId).FirstOrDefault(id => id is not null)
            ?? throw new InvalidDataException($"the tokenizer has no {string.Join(" or ", names)} token");
        var endsLine = new bool[vocabSize];
        for (int id = 0; id < Math.Min(vocabSize, tokenizer.VocabularySize); id++)
            endsLine[id] = tokenizer.Decode([id]).EndsWith('\n');
        return new TrainingVocabulary(
            vocabSize,
            Mask: Required("<|mask|>"),
            Pad: Required("<|pad|>", "<|fim_pad|>", "<|endoftext|>"),
            End: Required("<|endoftext|>"),
            FimPrefix: Required("<|fim_prefix|>"),
            FimSuffix: Required("<|fim_suffix|>"),
            FimMiddle: Required("<|fim_middle|>"),
            EndsLine: endsLine);
    }

    public void Dispose() => Model.Dispose();
}
