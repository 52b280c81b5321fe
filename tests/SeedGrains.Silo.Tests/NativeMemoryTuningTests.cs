using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using SeedGrains.Silo.Hosting;

namespace SeedGrains.Silo.Tests;

/// <summary>Memory:* settings: accepted values apply, anything else stops the start with the key named; the periodic trim.</summary>
public sealed class NativeMemoryTuningTests
{
    private static IConfiguration Config(string key, string value) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

    [Theory]
    [InlineData("Memory:MallocMmapThresholdBytes", "131072")]
    [InlineData("Memory:MallocMmapThresholdBytes", "0")]
    [InlineData("Memory:MallocArenaMax", "4")]
    public void Valid_values_are_applied(string key, string value) => NativeMemoryTuning.Apply(Config(key, value));

    [Theory]
    [InlineData("Memory:MallocMmapThresholdBytes", "-1")]
    [InlineData("Memory:MallocMmapThresholdBytes", "64MB")]
    [InlineData("Memory:MallocMmapThresholdBytes", "67108864")]
    [InlineData("Memory:MallocArenaMax", "many")]
    public void Invalid_values_name_the_key(string key, string value)
    {
        var error = Assert.Throws<HostConfigurationException>(() => NativeMemoryTuning.Apply(Config(key, value)));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_trim_interval_defaults_to_ten_seconds_and_zero_turns_it_off()
    {
        var none = new ConfigurationBuilder().Build();
        Assert.Equal(OperatingSystem.IsLinux() ? TimeSpan.FromSeconds(10) : null, NativeMemoryTuning.TrimInterval(none));
        Assert.Null(NativeMemoryTuning.TrimInterval(Config("Memory:TrimIntervalSeconds", "0")));
        var error = Assert.Throws<HostConfigurationException>(() => NativeMemoryTuning.TrimInterval(Config("Memory:TrimIntervalSeconds", "3601")));
        Assert.Contains("Memory:TrimIntervalSeconds = '3601' must be a whole number from 0 to 3600 (0 = no trim)", error.Message, StringComparison.Ordinal);
        NativeMemoryTuning.Trim(); // glibc here: returns free memory; elsewhere a no-op
    }

    [Fact]
    public async Task The_trimmer_trims_once_per_interval_and_not_before()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var trimmed = new SemaphoreSlim(0);
        using var trimmer = new NativeMemoryTrimmer(time, TimeSpan.FromSeconds(10), () => trimmed.Release());
        await trimmer.StartAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, trimmed.CurrentCount);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await trimmed.WaitAsync(TimeSpan.FromSeconds(30)), "no trim after one interval");
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await trimmed.WaitAsync(TimeSpan.FromSeconds(30)), "no trim after two intervals");

        await trimmer.StopAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, trimmed.CurrentCount); // stopped: no more trims
    }
}
