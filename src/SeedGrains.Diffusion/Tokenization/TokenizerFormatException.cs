namespace SeedGrains.Diffusion.Tokenization;

/// <summary>A tokenizer file that is malformed or uses a feature this loader does not implement; the message names both.</summary>
public sealed class TokenizerFormatException : Exception
{
    public TokenizerFormatException(string message) : base(message) { }

    public TokenizerFormatException(string message, Exception inner) : base(message, inner) { }
}
