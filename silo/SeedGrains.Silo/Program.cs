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
catch (Exception ex) when (Environment.GetEnvironmentVariable("SEEDGRAINS_DEBUG") != "1")
{
    // A start-up failure (e.g. no model at Model:Path) as one line; SEEDGRAINS_DEBUG=1 shows the whole trace.
    var root = ex;
    while (root.InnerException is not null && root is AggregateException or TypeInitializationException or System.Reflection.TargetInvocationException) root = root.InnerException;
    await Console.Error.WriteLineAsync($"seedgrains-silo: failed to start: {root.Message}");
    return 2;
}
