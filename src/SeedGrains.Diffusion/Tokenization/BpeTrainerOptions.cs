namespace SeedGrains.Diffusion.Tokenization;

/// <summary>Settings of <see cref="BpeTrainer"/>; the defaults give a Qwen2-style byte-level BPE for code.</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>Qwen2's pre-tokenizer regex: words may take one leading punctuation char, digits stand alone.</summary>
    public const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Upper bound on the vocabulary: the model's embedding table must stay small.</summary>
    public const int MaxVocabularySize = 16384;

    /// <summary>The special tokens at ids 0.. in this order; the first ends a document.</summary>
    public static readonly IReadOnlyList<string> DefaultSpecialTokens =
        ["<|endoftext|>", "<|mask|>", "<|pad|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>"];

    /// <summary>Total tokens: specials + 256 byte tokens + merges.</summary>
    public int VocabularySize { get; init; } = 8192;

    public IReadOnlyList<string> SpecialTokens { get; init; } = DefaultSpecialTokens;

    /// <summary>The Split (Isolated) regex of the pre-tokenizer; BPE never merges across its pieces.</summary>
    public string PreTokenizerPattern { get; init; } = Qwen2Pattern;

    /// <summary>Stop early when the most frequent pair occurs fewer times than this.</summary>
    public int MinPairFrequency { get; init; } = 2;
}
