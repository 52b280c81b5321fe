using Microsoft.Extensions.Configuration;
using SeedGrains.Silo.Hosting;

namespace SeedGrains.Silo.Tests;

/// <summary>Memory:* settings: accepted values apply, anything else stops the start with the key named.</summary>
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
}
