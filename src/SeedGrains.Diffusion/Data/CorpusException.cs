namespace SeedGrains.Diffusion.Data;

/// <summary>The corpus cannot be read as asked: a missing directory, no files, an undecodable or unreadable file (named).</summary>
public sealed class CorpusException : Exception
{
    public CorpusException(string message) : base(message) { }

    public CorpusException(string message, Exception inner) : base(message, inner) { }
}
