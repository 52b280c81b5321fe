using System.Net;
using System.Net.Sockets;

namespace SeedGrains.Tests.Shared;

/// <summary>
/// Free loopback TCP ports for test silos and servers. Orleans needs fixed silo and gateway ports (it cannot bind
/// port 0), so tests ask the OS for a free one and pass it on. The OS may give the same port to two probes in a row
/// (the first listener is closed before the second opens), which once made a silo's SiloPort equal its GatewayPort;
/// this never hands out a port twice within one test process.
/// Linked into every test project by tests/Directory.Build.props.
/// </summary>
public static class TestPorts
{
    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        lock (Gate)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
