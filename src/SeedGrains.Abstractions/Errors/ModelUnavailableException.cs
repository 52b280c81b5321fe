namespace SeedGrains.Abstractions.Errors;

/// <summary>503: no model worker could be reached (none registered, or its silo is gone).</summary>
[GenerateSerializer]
public sealed class ModelUnavailableException : Exception
{
    public ModelUnavailableException() { }

    public ModelUnavailableException(string message) : base(message) { }

    public ModelUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
