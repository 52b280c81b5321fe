namespace SeedGrains.Abstractions.Errors;

/// <summary>409: a tenant with the requested id already exists.</summary>
[GenerateSerializer]
public sealed class TenantExistsException : Exception
{
    public TenantExistsException() { }

    public TenantExistsException(string message) : base(message) { }

    public TenantExistsException(string message, Exception innerException) : base(message, innerException) { }
}
