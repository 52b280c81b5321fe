using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SeedGrains.Silo.Api;

namespace SeedGrains.Silo.Tests;

/// <summary>What browsers get: CORS only for configured origins, security headers on the pages, no log stream by default.</summary>
public sealed class BrowserHardeningTests(CorsSiloHost cors) : IClassFixture<CorsSiloHost>
{
    private HttpClient Client => cors.Host.Client;

    [Fact]
    public async Task A_configured_origin_may_preflight_and_read_answers_including_errors()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/sessions");
        preflight.Headers.Add("Origin", CorsSiloHost.AllowedOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type, last-event-id");
        using var allowed = await Client.SendAsync(preflight);
        Assert.True(allowed.IsSuccessStatusCode, $"preflight answered {(int)allowed.StatusCode}");
        Assert.Equal(CorsSiloHost.AllowedOrigin, Header(allowed, "Access-Control-Allow-Origin"));
        var allowedHeaders = Header(allowed, "Access-Control-Allow-Headers")!.ToLowerInvariant();
        Assert.Contains("authorization", allowedHeaders, StringComparison.Ordinal);
        Assert.Contains("content-type", allowedHeaders, StringComparison.Ordinal);
        Assert.Contains("last-event-id", allowedHeaders, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sessions/s_unknown");
        request.Headers.Add("Origin", CorsSiloHost.AllowedOrigin);
        using var notFound = await Client.SendAsync(request);
        await ProblemAssert.Is(notFound, HttpStatusCode.NotFound);
        Assert.Equal(CorsSiloHost.AllowedOrigin, Header(notFound, "Access-Control-Allow-Origin"));
        // Names must match exactly: a browser exposes a header only if it is listed by its full name.
        var exposed = Header(notFound, "Access-Control-Expose-Headers")!.ToLowerInvariant().Split(',', StringSplitOptions.TrimEntries);
        foreach (var name in new[] { "retry-after", "x-request-id", "x-ratelimit-remaining-requests", "x-ratelimit-reset-tokens" })
            Assert.Contains(name, exposed);
        foreach (var name in notFound.Headers.Select(h => h.Key.ToLowerInvariant()).Where(h => h.StartsWith("x-ratelimit-", StringComparison.Ordinal)))
            Assert.Contains(name, exposed);
    }

    [Fact]
    public async Task Other_origins_get_no_cors_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await Client.SendAsync(request);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/sessions");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var refused = await Client.SendAsync(preflight);
        Assert.Null(Header(refused, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_playground_runs_under_a_strict_content_security_policy()
    {
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };
        using var page = await anonymous.GetAsync("/");
        var policy = Header(page, "Content-Security-Policy");
        Assert.NotNull(policy);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        AssertPageHeaders(page);
        // A strict policy blocks inline code: the page must have none.
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<style", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\son[a-z]+=", html);

        foreach (var (path, type) in new[] { ("/playground.js", "text/javascript"), ("/playground.css", "text/css"), ("/client/index.js", "text/javascript") })
        {
            using var file = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal(type, file.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", Header(file, "X-Content-Type-Options"));
            AssertPageHeaders(file);
        }
    }

    [Fact]
    public async Task The_playground_script_and_every_client_module_it_imports_are_served_from_this_host()
    {
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };
        Assert.Contains("from '/client/index.js'", await anonymous.GetStringAsync("/playground.js"), StringComparison.Ordinal);
        var index = await anonymous.GetStringAsync("/client/index.js");
        var modules = Regex.Matches(index, @"from '\./([a-z-]+\.js)'").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("session.js", modules);
        foreach (var module in modules)
        {
            using var file = await anonymous.GetAsync("/client/" + module);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal("text/javascript", file.Content.Headers.ContentType?.MediaType);
            // Each module's own imports are relative to /client/ as well.
            foreach (Match import in Regex.Matches(await file.Content.ReadAsStringAsync(), @"from '\./([a-z-]+\.js)'"))
                Assert.Contains(import.Groups[1].Value, modules);
        }
    }

    [Fact]
    public async Task The_dashboard_gets_security_headers_and_api_answers_nosniff()
    {
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };
        using var dashboard = await anonymous.GetAsync("/dashboard/");
        Assert.True(dashboard.IsSuccessStatusCode, $"dashboard answered {(int)dashboard.StatusCode}");
        var policy = Header(dashboard, "Content-Security-Policy");
        Assert.NotNull(policy);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        AssertPageHeaders(dashboard);
        // What the dashboard page loads must come from this host, which the policy allows.
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"http", html, StringComparison.Ordinal);

        using var health = await anonymous.GetAsync("/healthz");
        Assert.Equal("nosniff", Header(health, "X-Content-Type-Options"));
        using var problem = await anonymous.GetAsync("/v1/sessions/s_x");
        Assert.Equal("nosniff", Header(problem, "X-Content-Type-Options"));
    }

    [Fact]
    public async Task The_dashboard_log_stream_is_refused_unless_allowed()
    {
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };
        foreach (var path in new[] { "/dashboard/Trace", "/dashboard/trace", "/dashboard/Trace/" })
        {
            using var refused = await anonymous.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            await ProblemAssert.Is(refused, HttpStatusCode.NotFound);
        }

        var options = cors.Host.Services.GetRequiredService<IOptions<DashboardAccessOptions>>().Value;
        options.AllowTrace = true;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            using var allowed = await anonymous.GetAsync("/dashboard/Trace", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        finally
        {
            options.AllowTrace = false;
        }
    }

    private static void AssertPageHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;
}
