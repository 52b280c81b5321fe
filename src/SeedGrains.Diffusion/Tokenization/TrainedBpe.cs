namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// The outcome of <see cref="BpeTrainer"/>: byte-level token strings by id (specials first, then the 256 byte
/// tokens, then merge results) and the merges in priority order. Save it with <see cref="TokenizerJsonWriter"/>.
/// </summary>
public sealed record TrainedBpe(
    IReadOnlyList<string> Tokens,
    IReadOnlyList<(string Left, string Right)> Merges,
    IReadOnlyList<string> SpecialTokens,
    string PreTokenizerPattern,
    long DistinctWords,
    long TotalWords)
{
    public int VocabularySize => Tokens.Count;

    /// <summary>Write tokenizer.json into <paramref name="directory"/> (created if needed); returns the file path.</summary>
    public string Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "tokenizer.json");
        File.WriteAllText(file, TokenizerJsonWriter.Write(this));
        return file;
    }
}
