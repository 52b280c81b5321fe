namespace SeedGrains.Abstractions.Errors;

/// <summary>429: a tenant quota (concurrent sessions) is exhausted.</summary>
[GenerateSerializer]
public sealed class QuotaExceededException : Exception
{
    public QuotaExceededException() { }

    public QuotaExceededException(string message) : base(message) { }

    public QuotaExceededException(string message, Exception innerException) : base(message, innerException) { }
}
