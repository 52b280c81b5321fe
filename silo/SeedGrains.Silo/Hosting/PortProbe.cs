using System.Net;
using System.Net.Sockets;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Whether a TCP port can be bound exclusively. Orleans binds its silo and gateway listeners with
/// <c>SocketOptionName.ReuseAddress</c>, which .NET on Linux turns into SO_REUSEPORT as well: a second silo on the port
/// of a running one binds "successfully" and the kernel splits connections between them. A probe without that option
/// fails with EADDRINUSE whenever anything listens there, so the silo can refuse to start instead.
/// </summary>
internal static class PortProbe
{
    /// <summary>Null when <paramref name="address"/>:<paramref name="port"/> is free; else why not.</summary>
    public static string? WhyNotFree(IPAddress address, int port)
    {
        if (port == 0) return null; // the system picks a free one
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return null;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return "already in use (another silo or program listens there)";
        }
        catch (SocketException ex)
        {
            return $"not available ({ex.Message})";
        }
    }
}
