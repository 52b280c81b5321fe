namespace SeedGrains.Abstractions.Errors;

/// <summary>409: the job's status does not allow the request (e.g. resuming a cancelled job).</summary>
[GenerateSerializer]
public sealed class JobStateException : Exception
{
    public JobStateException() { }

    public JobStateException(string message) : base(message) { }

    public JobStateException(string message, Exception innerException) : base(message, innerException) { }
}
