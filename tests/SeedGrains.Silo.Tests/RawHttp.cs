using System.Net.Sockets;
using System.Text;

namespace SeedGrains.Silo.Tests;

/// <summary>An HTTP/1.1 answer read off a raw socket (null status: the server closed without answering).</summary>
public sealed record RawAnswer(int? Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? ContentType => Headers.TryGetValue("content-type", out var value) ? value : null;
}

/// <summary>Sends bytes no HttpClient would (lying lengths, broken chunking, odd header bytes) and reads what comes back.</summary>
internal static class RawHttp
{
    /// <summary>
    /// Writes <paramref name="request"/>, half-closes the socket when <paramref name="closeSend"/> (so a server waiting
    /// for more body sees the end), and reads until the server closes. The timeout only caps a hung server.
    /// </summary>
    public static async Task<RawAnswer> Send(Uri baseAddress, byte[] request, bool closeSend = false)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(request, timeout.Token);
        if (closeSend) client.Client.Shutdown(SocketShutdown.Send);
        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException)
        {
            // A reset after the answer: what was read is the answer.
        }
        catch (OperationCanceledException)
        {
            // The server kept the connection open without finishing an answer: what was read is all there is.
        }
        return Parse(received.ToArray());
    }

    public static byte[] Bytes(string head, string body = "") => Encoding.Latin1.GetBytes(head.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n" + body);

    private static RawAnswer Parse(byte[] bytes)
    {
        var split = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.Latin1.GetString(bytes, 0, split < 0 ? bytes.Length : split);
        if (!head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || split < 0) return new RawAnswer(null, new Dictionary<string, string>(), head);
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var body = bytes[(split + 4)..];
        if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            body = Dechunk(body);
        return new RawAnswer(status, headers, Encoding.UTF8.GetString(body));
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        using var result = new MemoryStream();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0) break;
            var size = Convert.ToInt32(Encoding.ASCII.GetString(chunked, at, lineEnd).Split(';')[0], 16);
            if (size == 0) break;
            var start = at + lineEnd + 2;
            result.Write(chunked, start, Math.Min(size, chunked.Length - start));
            at = start + size + 2;
        }
        return result.ToArray();
    }
}
