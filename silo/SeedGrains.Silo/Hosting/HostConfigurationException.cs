namespace SeedGrains.Silo.Hosting;

/// <summary>The host cannot start with this configuration (the message says which key and why).</summary>
public sealed class HostConfigurationException : Exception
{
    public HostConfigurationException() { }

    public HostConfigurationException(string message) : base(message) { }

    public HostConfigurationException(string message, Exception innerException) : base(message, innerException) { }
}
