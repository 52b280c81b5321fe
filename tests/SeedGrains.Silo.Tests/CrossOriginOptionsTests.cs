using Microsoft.Extensions.Configuration;
using SeedGrains.Silo.Api;

namespace SeedGrains.Silo.Tests;

/// <summary>`Cors:AllowedOrigins` reads the same from an appsettings array and from one comma-separated value.</summary>
public sealed class CrossOriginOptionsTests
{
    [Theory]
    [InlineData("Cors:AllowedOrigins", "https://a.example, https://b.example/")]
    [InlineData("Cors:AllowedOrigins:0", "https://a.example")]
    public void Both_forms_give_the_same_origins(string key, string value)
    {
        var data = new Dictionary<string, string?> { [key] = value };
        if (key.EndsWith(":0", StringComparison.Ordinal)) data["Cors:AllowedOrigins:1"] = "https://b.example";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(data).Build();

        Assert.Equal(["https://a.example", "https://b.example"], CrossOriginOptions.ReadAllowedOrigins(configuration));
    }

    [Fact]
    public void Unset_means_no_origin()
    {
        Assert.Empty(CrossOriginOptions.ReadAllowedOrigins(new ConfigurationBuilder().Build()));
    }
}
