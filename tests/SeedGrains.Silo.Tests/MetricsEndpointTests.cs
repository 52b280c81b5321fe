using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// `/metrics` over real Kestrel after real work: the Prometheus scrape carries the service's own metrics with true
/// values (tokens committed equal what the tenant's sessions produced), is behind the operator key, and has every
/// metric the Grafana dashboard in deploy/grafana draws. The instruments are per process and other test classes run
/// alongside, so the work runs under a tenant of its own and only that tenant's series are compared.
/// </summary>
public sealed partial class MetricsEndpointTests(AdminSiloHost admin) : IClassFixture<AdminSiloHost>
{
    private SiloHost Host => admin.Host;

    [Fact]
    public async Task After_a_generation_the_scrape_shows_what_the_tenant_s_sessions_produced()
    {
        var tenant = $"metrics-{Guid.NewGuid():N}"[..30];
        using var op = Client(AdminSiloHost.OperatorKey);
        (await op.PostAsJsonAsync("/admin/v1/tenants", new { id = tenant })).EnsureSuccessStatusCode();
        var created = await (await op.PostAsJsonAsync($"/admin/v1/tenants/{tenant}/keys", new { name = "metrics" })).Content.ReadFromJsonAsync<JsonElement>();
        using var user = Client(created.GetProperty("key").GetString());

        using var completion = await user.PostAsJsonAsync("/v1/completions", new { prompt = "x = ", max_tokens = 5 });
        Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
        var usage = (await completion.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("usage");
        Assert.Equal(5, usage.GetProperty("completion_tokens").GetInt32());
        using var session = await user.PostAsJsonAsync("/v1/sessions", new { text = "abc", regions = new[] { new { start = 1, end = 2, maxTokens = 3 } } });
        Assert.Equal(HttpStatusCode.Created, session.StatusCode);
        var id = (await session.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Sse.SettledSession(user, id);
        // Then one request a minute: of three more, at least two are refused for the rate limit.
        (await op.PatchAsJsonAsync($"/admin/v1/tenants/{tenant}", new { quotas = new { requestsPerMinute = 1 } })).EnsureSuccessStatusCode();
        var refused = 0;
        for (var i = 0; i < 3; i++)
        {
            using var answer = await user.GetAsync("/v1/models");
            if (answer.StatusCode == HttpStatusCode.TooManyRequests) refused++;
        }
        Assert.True(refused >= 2, $"{refused} of 3 refused");

        var scrape = await op.GetStringAsync("/metrics");
        Assert.Equal(8, Value(scrape, "seedgrains_tokens_committed_total", tenant)); // 5 + 3: the fake model commits one a step
        Assert.Equal(8, Value(scrape, "seedgrains_steps_total", tenant));
        Assert.Equal(refused, Value(scrape, "seedgrains_requests_rejected_total", tenant, "reason=\"rate_limit\""));

        var dashboard = File.ReadAllText(RepoFile("deploy", "grafana", "seedgrains.json"));
        var drawn = MetricName().Matches(dashboard).Select(m => m.Value).Distinct().ToList();
        Assert.NotEmpty(drawn);
        var missing = drawn.Where(name => !Regex.IsMatch(scrape, $"^{Regex.Escape(name)}(_bucket|_sum|_count)?{{", RegexOptions.Multiline)).ToList();
        Assert.True(missing.Count == 0, "the dashboard draws metrics the scrape lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Metrics_need_the_operator_key_where_loopback_is_not_trusted()
    {
        using var anonymous = Client(null);
        using var refused = await anonymous.GetAsync("/metrics");
        await ProblemAssert.Is(refused, HttpStatusCode.Unauthorized);
        using var tenant = Client(SiloHost.DevKey);
        using var alsoRefused = await tenant.GetAsync("/metrics");
        await ProblemAssert.Is(alsoRefused, HttpStatusCode.Unauthorized);
    }

    /// <summary>The value of the one series of <paramref name="metric"/> for the tenant (and extra label, if given).</summary>
    private static double Value(string scrape, string metric, string tenant, string? label = null)
    {
        var lines = scrape.Split('\n').Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal)
            && l.Contains($"tenant=\"{tenant}\"", StringComparison.Ordinal) && (label is null || l.Contains(label, StringComparison.Ordinal))).ToList();
        var line = Assert.Single(lines);
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private HttpClient Client(string? bearer)
    {
        var client = new HttpClient { BaseAddress = Host.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    private static string RepoFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(Path.Combine(parts));
    }

    /// <summary>The service's own metric names as the dashboard's queries use them (histogram series suffixes stripped).</summary>
    [GeneratedRegex(@"seedgrains_[a-z_]+?(?=_bucket|_sum|_count|\b)")]
    private static partial Regex MetricName();
}
