using SeedGrains.Silo.Hosting;

// The SeedGrains silo: Orleans + HTTP API in one process (see docs/api.md).
try
{
    var app = SeedGrainsHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (HostConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"seedgrains-silo: {ex.Message}");
    return 2;
}
