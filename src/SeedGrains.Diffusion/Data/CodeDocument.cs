namespace SeedGrains.Diffusion.Data;

/// <summary>One source file of the corpus, decoded as UTF-8.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="RelativePath">Path relative to the corpus directory it was found under ('/' separated).</param>
/// <param name="Text">The content (a leading UTF-8 byte-order mark removed).</param>
/// <param name="ContentHash">Lower-case hex SHA-256 of the file's bytes: identity for deduplication and the split.</param>
/// <param name="Split">Train or validation.</param>
public sealed record CodeDocument(string Path, string RelativePath, string Text, string ContentHash, CorpusSplit Split);
