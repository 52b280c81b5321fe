namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// An entry of tokenizer.json's "added_tokens": matched verbatim inside text before BPE runs (as HF does).
/// <paramref name="Normalized"/> tokens are matched on normalized text, the others on the original text.
/// </summary>
public sealed record AddedToken(
    int Id,
    string Content,
    bool Special,
    bool Normalized = false,
    bool LeftStrip = false,
    bool RightStrip = false,
    bool SingleWord = false);
