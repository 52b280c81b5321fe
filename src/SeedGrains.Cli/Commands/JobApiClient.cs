using System.Net.Http.Headers;
using System.Text.Json;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// HTTP client of the jobs API (<c>/v1/jobs</c>) for `seedgrains refactor`: the tenant's API key as a Bearer token, and
/// an error answer turned into one line carrying the server's problem detail.
/// </summary>
internal sealed class JobApiClient : IDisposable
{
    public const string ApiKeyVariable = "SEEDGRAINS_API_KEY";
    private readonly HttpClient _http;

    public JobApiClient(string server, string? apiKey)
    {
        var key = string.IsNullOrWhiteSpace(apiKey) ? Environment.GetEnvironmentVariable(ApiKeyVariable) : apiKey;
        if (string.IsNullOrWhiteSpace(key)) throw new InvalidOperationException($"no API key: pass --key or set {ApiKeyVariable}");
        if (!Uri.TryCreate(server.TrimEnd('/') + "/", UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"--server '{server}' is not an http(s) URL");
        // No overall timeout: the event stream of a long job stays open for as long as the job runs.
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
    }

    /// <summary>Uploads a .tar.gz of the files; answers the new job.</summary>
    public async Task<JsonElement> Submit(byte[] archive, string select, int? concurrency, int? maxSteps, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        var query = $"v1/jobs?select={Uri.EscapeDataString(select)}" + (concurrency is { } c ? $"&concurrency={c}" : "")
            + (maxSteps is { } m ? $"&maxSteps={m}" : "");
        using var response = await _http.PostAsync(query, content, cancellationToken);
        return await Json(response, cancellationToken);
    }

    public async Task<JsonElement> Get(string job, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"v1/jobs/{Uri.EscapeDataString(job)}", cancellationToken);
        return await Json(response, cancellationToken);
    }

    public async Task<string> Patch(string job, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"v1/jobs/{Uri.EscapeDataString(job)}/patch", cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? text : throw Failure(response, text);
    }

    /// <summary>Each <c>progress</c> event of the job's stream, until the stream ends (the job finished) or breaks.</summary>
    public async IAsyncEnumerable<JsonElement> Events(string job, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"v1/jobs/{Uri.EscapeDataString(job)}/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode) throw Failure(response, await response.Content.ReadAsStringAsync(cancellationToken));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal)) yield return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
        }
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw Failure(response, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A 4xx is final (bad request, unknown job); anything else may pass, and the caller may re-attach.</summary>
    private static Exception Failure(HttpResponseMessage response, string problem)
    {
        string? detail = null;
        try
        {
            using var document = JsonDocument.Parse(problem);
            detail = document.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
        }
        var message = $"{detail ?? response.ReasonPhrase} (HTTP {(int)response.StatusCode})";
        return (int)response.StatusCode is >= 400 and < 500 ? new InvalidOperationException(message) : new HttpRequestException(message);
    }

    public void Dispose() => _http.Dispose();
}
