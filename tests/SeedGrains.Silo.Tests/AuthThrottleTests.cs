using System.Net;
using System.Net.Http.Headers;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// Failed authentication is throttled per client address. Loopback is exempt by default, so this host turns that off
/// (every test client here is loopback); its API clock is a fake, so permits refill only when the test moves it.
/// </summary>
public sealed class AuthThrottleTests : IAsyncLifetime
{
    private readonly SiloHost _host = new(["--Auth:FailureThrottle:FailuresPerMinute=20", "--Auth:FailureThrottle:ExemptLoopback=false"]);

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Twenty_failures_a_minute_then_429_for_that_address_even_with_a_good_key_until_a_permit_refills()
    {
        for (var i = 0; i < 20; i++)
        {
            using var wrong = await Send($"sg_wrong-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await Send("sg_wrong-again");
        var problem = await ProblemAssert.Is(throttled, HttpStatusCode.TooManyRequests);
        Assert.Equal("Too many failed authentications", problem.GetProperty("title").GetString());
        Assert.Equal("3", throttled.Headers.RetryAfter?.ToString()); // one permit every 60 s / 20
        using var good = await Send(SiloHost.DevKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, good.StatusCode);

        _host.Clock.Advance(TimeSpan.FromSeconds(3));
        using var goodLater = await Send(SiloHost.DevKey);
        Assert.Equal(HttpStatusCode.OK, goodLater.StatusCode);
        using var wrongLater = await Send("sg_wrong-later"); // takes the one refilled permit
        Assert.Equal(HttpStatusCode.Unauthorized, wrongLater.StatusCode);
        using var throttledAgain = await Send(SiloHost.DevKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttledAgain.StatusCode);
    }

    [Fact]
    public async Task Successful_requests_take_nothing_from_the_budget()
    {
        for (var i = 0; i < 40; i++)
        {
            using var ok = await Send(SiloHost.DevKey);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var wrong = await Send("sg_wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    private Task<HttpResponseMessage> Send(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/usage");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return _host.Client.SendAsync(request);
    }
}
