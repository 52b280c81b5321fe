namespace SeedGrains.Diffusion.Tokenization;

/// <summary>What a tokenizer.json describes, reduced to the parts this implementation runs.</summary>
internal sealed record TokenizerDefinition(
    IReadOnlyDictionary<string, int> Vocabulary,
    IReadOnlyList<(string Left, string Right)> Merges,
    IReadOnlyList<AddedToken> AddedTokens,
    TextNormalizer Normalizer,
    PreTokenizerPipeline PreTokenizer,
    bool IgnoreMerges,
    IReadOnlyList<int> PrefixIds,
    IReadOnlyList<int> SuffixIds);
