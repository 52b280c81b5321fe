namespace SeedGrains.Abstractions.Errors;

/// <summary>404: no session under this key.</summary>
[GenerateSerializer]
public sealed class SessionNotFoundException : Exception
{
    public SessionNotFoundException() { }

    public SessionNotFoundException(string message) : base(message) { }

    public SessionNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}
