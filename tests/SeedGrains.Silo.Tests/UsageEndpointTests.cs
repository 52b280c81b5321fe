using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Silo.Hosting;

namespace SeedGrains.Silo.Tests;

/// <summary>GET /v1/usage over real Kestrel: the caller's own hours and totals, range checks, and completions metered.</summary>
public sealed class UsageEndpointTests : IClassFixture<SiloHost>
{
    private readonly SiloHost _host;

    public UsageEndpointTests(SiloHost host) => _host = host;

    // The grains meter by the service's clock (real time here); the API's clock is a fake, so ranges are given explicitly.
    private static string Range(DateTimeOffset from, DateTimeOffset to) =>
        $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";

    private static string AroundNow => Range(DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(2));

    private IGrainFactory Grains => (IGrainFactory)_host.Services.GetService(typeof(IGrainFactory))!;

    [Fact]
    public async Task Completions_and_their_tokens_show_up_in_the_hour_they_ran_with_totals()
    {
        var before = await Totals();
        using var completion = await _host.Client.PostAsJsonAsync("/v1/completions", new { prompt = "x = ", max_tokens = 5 });
        Assert.Equal(HttpStatusCode.OK, completion.StatusCode);

        // The session reports its tokens just after it settles, the API its completion just after answering; poll briefly.
        JsonElement totals = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        do
        {
            totals = await Totals();
            if (DateTime.UtcNow > deadline) break;
        }
        while (totals.GetProperty("completions").GetInt64() < before.GetProperty("completions").GetInt64() + 1
               || totals.GetProperty("generated_tokens").GetInt64() < before.GetProperty("generated_tokens").GetInt64() + 5);

        Assert.Equal(before.GetProperty("completions").GetInt64() + 1, totals.GetProperty("completions").GetInt64());
        Assert.Equal(before.GetProperty("generated_tokens").GetInt64() + 5, totals.GetProperty("generated_tokens").GetInt64());
        Assert.True(totals.GetProperty("steps").GetInt64() >= before.GetProperty("steps").GetInt64() + 1);
    }

    [Fact]
    public async Task Ranges_select_hours_and_bad_ranges_are_400()
    {
        var usage = Grains.GetGrain<ITenantUsageGrain>(TenantGrainKeys.Usage(DevTenantSeeder.Tenant));
        await usage.Record(new UsageDelta(Steps: 7));
        var from = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-2).ToString("O"));
        var to = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(2).ToString("O"));

        var report = await _host.Client.GetFromJsonAsync<JsonElement>($"/v1/usage?from={from}&to={to}");
        Assert.Equal("usage", report.GetProperty("object").GetString());
        Assert.Equal(DevTenantSeeder.Tenant, report.GetProperty("tenant").GetString());
        Assert.True(report.GetProperty("hours").GetArrayLength() >= 1);
        Assert.True(report.GetProperty("totals").GetProperty("steps").GetInt64() >= 7);

        var empty = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/usage?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z");
        Assert.Equal(0, empty.GetProperty("hours").GetArrayLength());

        await ProblemAssert.Is(await _host.Client.GetAsync("/v1/usage?from=yesterday"), HttpStatusCode.BadRequest);
        await ProblemAssert.Is(await _host.Client.GetAsync($"/v1/usage?from={to}&to={from}"), HttpStatusCode.BadRequest);
        await ProblemAssert.Is(await _host.Client.GetAsync("/v1/usage?from=2020-01-01T00:00:00Z&to=2021-01-01T00:00:00Z"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Without_a_key_it_is_401()
    {
        using var anonymous = new HttpClient { BaseAddress = _host.Client.BaseAddress };
        await ProblemAssert.Is(await anonymous.GetAsync("/v1/usage"), HttpStatusCode.Unauthorized);
    }

    private async Task<JsonElement> Totals() =>
        (await _host.Client.GetFromJsonAsync<JsonElement>($"/v1/usage?{AroundNow}")).GetProperty("totals");
}
