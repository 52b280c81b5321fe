namespace SeedGrains.Diffusion.Evaluation;

/// <summary>A region of a file to regenerate: the text before it, the original region, and the text after it.</summary>
public sealed record InfillCase(string File, int FirstLine, string Prefix, string Middle, string Suffix);
