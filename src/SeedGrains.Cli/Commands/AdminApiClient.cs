using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// HTTP client of the admin API (<c>/admin/v1</c>) for `seedgrains admin`: sends the operator key as a Bearer token and
/// turns an error answer into one line carrying the server's problem detail.
/// </summary>
internal sealed class AdminApiClient : IDisposable
{
    public const string OperatorKeyVariable = "SEEDGRAINS_OPERATOR_KEY";
    private readonly HttpClient _http;

    public AdminApiClient(string server, string? operatorKey)
    {
        var key = string.IsNullOrWhiteSpace(operatorKey) ? Environment.GetEnvironmentVariable(OperatorKeyVariable) : operatorKey;
        if (string.IsNullOrWhiteSpace(key))
            throw new InvalidOperationException($"no operator key: pass --operator-key or set {OperatorKeyVariable}");
        if (!Uri.TryCreate(server.TrimEnd('/') + "/", UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"--server '{server}' is not an http(s) URL");
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
    }

    /// <summary>The answer's JSON (default for 204), or an exception whose message is the server's detail.</summary>
    public async Task<JsonElement> Send(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, "admin/v1/" + path.TrimStart('/'));
        if (body is not null)
            request.Content = new StringContent(JsonSerializer.Serialize(body, AdminOutput.Json), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{Detail(text) ?? response.ReasonPhrase} (HTTP {(int)response.StatusCode})");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string? Detail(string problem)
    {
        try
        {
            using var document = JsonDocument.Parse(problem);
            return document.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
