namespace SeedGrains.Abstractions.Errors;

/// <summary>409: the edit touches a region that is still being generated.</summary>
[GenerateSerializer]
public sealed class RegionBusyException : Exception
{
    public RegionBusyException() { }

    public RegionBusyException(string message) : base(message) { }

    public RegionBusyException(string message, Exception innerException) : base(message, innerException) { }
}
