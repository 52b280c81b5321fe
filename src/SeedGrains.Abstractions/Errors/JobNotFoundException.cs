namespace SeedGrains.Abstractions.Errors;

/// <summary>404: no job under this id, or no such file in it.</summary>
[GenerateSerializer]
public sealed class JobNotFoundException : Exception
{
    public JobNotFoundException() { }

    public JobNotFoundException(string message) : base(message) { }

    public JobNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}
