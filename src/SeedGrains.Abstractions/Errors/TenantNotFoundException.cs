namespace SeedGrains.Abstractions.Errors;

/// <summary>404: no tenant (or no API key of the tenant) by that id.</summary>
[GenerateSerializer]
public sealed class TenantNotFoundException : Exception
{
    public TenantNotFoundException() { }

    public TenantNotFoundException(string message) : base(message) { }

    public TenantNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}
