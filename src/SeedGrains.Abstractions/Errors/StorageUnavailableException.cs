namespace SeedGrains.Abstractions.Errors;

/// <summary>
/// 503: a change could not be made durable (session storage or the reminder table did not answer), so it was not
/// applied. The cause is in the server log; retrying later is safe.
/// </summary>
[GenerateSerializer]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException() { }

    public StorageUnavailableException(string message) : base(message) { }

    public StorageUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
