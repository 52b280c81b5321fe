namespace SeedGrains.Abstractions.Errors;

/// <summary>409: a job is larger than the tenant's limits allow (files per job).</summary>
[GenerateSerializer]
public sealed class JobLimitException : Exception
{
    public JobLimitException() { }

    public JobLimitException(string message) : base(message) { }

    public JobLimitException(string message, Exception innerException) : base(message, innerException) { }
}
