using System.Net;
using Microsoft.AspNetCore.Http;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// What can be checked before the host starts, so a mistake is one line and exit code 2 rather than a stack trace
/// after the model has loaded: port numbers, <c>Urls</c>, and that every port this silo will listen on is free.
/// (The model folder and dtype are checked by <see cref="ModelWiring"/>, the certificates by <see cref="ClusterTls"/>.)
/// </summary>
internal static class StartupChecks
{
    public static void Run(IConfiguration configuration)
    {
        var durable = !string.IsNullOrWhiteSpace(configuration["Postgres:ConnectionString"]);
        var clusterAddress = ClusterListenAddress(configuration, durable);
        var siloPort = SeedGrainsHost.Port(configuration, "Orleans:SiloPort");
        if (siloPort == 0)
            throw new HostConfigurationException("Orleans:SiloPort = 0: the silo port must be a fixed port (1–65535), other silos dial it.");
        Free(clusterAddress, siloPort, "Orleans:SiloPort");
        if (SeedGrainsHost.GatewayPort(configuration) is { } gatewayPort)
        {
            if (gatewayPort == siloPort)
                throw new HostConfigurationException($"Orleans:GatewayPort = {gatewayPort} is also Orleans:SiloPort; they must differ.");
            Free(clusterAddress, gatewayPort, "Orleans:GatewayPort");
        }
        foreach (var (address, port) in HttpEndpoints(configuration["Urls"]))
            Free(address, port, "Urls");
    }

    /// <summary>The HTTP listening endpoints of a <c>Urls</c> value (as Kestrel reads it: URLs separated by <c>;</c>).</summary>
    internal static IEnumerable<(IPAddress Address, int Port)> HttpEndpoints(string? urls)
    {
        if (string.IsNullOrWhiteSpace(urls)) yield break;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress binding;
            try
            {
                binding = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                throw new HostConfigurationException($"Urls: '{url}' is not a URL to listen on (e.g. http://127.0.0.1:5080).");
            }
            if (binding.IsUnixPipe || binding.IsNamedPipe) continue;
            if (binding.Scheme is not ("http" or "https"))
                throw new HostConfigurationException($"Urls: '{url}' must start with http:// or https://.");
            if (binding.Port is < 0 or > 65535)
                throw new HostConfigurationException($"Urls: '{url}' has no valid port (0–65535).");
            var host = binding.Host.Trim('[', ']');
            // BindingAddress reads "http://127.0.0.1:notaport" as host "127.0.0.1:notaport" on port 80.
            if (host is not ("*" or "+") && Uri.CheckHostName(host) == UriHostNameType.Unknown)
                throw new HostConfigurationException($"Urls: '{url}' has no valid host and port (e.g. http://127.0.0.1:5080).");
            IPAddress address;
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
            else if (!IPAddress.TryParse(host, out address!)) address = IPAddress.Any; // "*", "+", a host name: Kestrel binds all addresses
            yield return (address, binding.Port);
        }
    }

    /// <summary>Where Orleans will bind: loopback for embedded defaults, else the advertised address or all.</summary>
    private static IPAddress ClusterListenAddress(IConfiguration configuration, bool durable)
    {
        if (!durable) return IPAddress.Loopback;
        if (bool.TryParse(configuration["Orleans:ListenOnAnyHostAddress"], out var any) && any) return IPAddress.Any;
        return IPAddress.TryParse(configuration["Orleans:AdvertisedIP"], out var advertised) ? advertised : IPAddress.Any;
    }

    private static void Free(IPAddress address, int port, string key)
    {
        if (PortProbe.WhyNotFree(address, port) is { } why)
            throw new HostConfigurationException($"{key}: port {port} on {address} is {why}.");
    }
}
