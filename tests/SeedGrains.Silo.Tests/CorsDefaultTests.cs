using System.Net;

namespace SeedGrains.Silo.Tests;

/// <summary>Without `Cors:AllowedOrigins`, no origin is allowed: browsers keep other sites' pages off the API.</summary>
public sealed class CorsDefaultTests(SiloHost host) : IClassFixture<SiloHost>
{
    [Fact]
    public async Task Cross_origin_calls_get_no_cors_headers_by_default()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("Origin", CorsSiloHost.AllowedOrigin);
        using var response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/sessions");
        preflight.Headers.Add("Origin", CorsSiloHost.AllowedOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var refused = await host.Client.SendAsync(preflight);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
