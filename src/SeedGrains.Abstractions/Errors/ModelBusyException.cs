namespace SeedGrains.Abstractions.Errors;

/// <summary>503: the model worker's bounded queue (or the tenant's share of it) is full; retry later.</summary>
[GenerateSerializer]
public sealed class ModelBusyException : Exception
{
    public ModelBusyException() { }

    public ModelBusyException(string message) : base(message) { }

    public ModelBusyException(string message, Exception innerException) : base(message, innerException) { }
}
