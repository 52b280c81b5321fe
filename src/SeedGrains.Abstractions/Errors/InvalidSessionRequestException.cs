namespace SeedGrains.Abstractions.Errors;

/// <summary>400: a range, size or field of the request is invalid (the message names it).</summary>
[GenerateSerializer]
public sealed class InvalidSessionRequestException : Exception
{
    public InvalidSessionRequestException() { }

    public InvalidSessionRequestException(string message) : base(message) { }

    public InvalidSessionRequestException(string message, Exception innerException) : base(message, innerException) { }
}
