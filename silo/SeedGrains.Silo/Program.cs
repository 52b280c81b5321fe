using SeedGrains.Silo.Hosting;

// The SeedGrains silo: Orleans + HTTP API in one process (see docs/api.md).
// A start-up failure is one line on stderr and exit code 2; SEEDGRAINS_DEBUG=1 shows the whole exception.
var debug = Environment.GetEnvironmentVariable("SEEDGRAINS_DEBUG") == "1";
try
{
    var app = SeedGrainsHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (HostConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"seedgrains-silo: {ex.Message}");
    if (debug) await Console.Error.WriteLineAsync(ex.ToString());
    return 2;
}
catch (Exception ex) when (!debug)
{
    // Not caught by the checks before start-up (e.g. PostgreSQL unreachable): still one line.
    var root = ex;
    while (root.InnerException is not null && root is AggregateException or TypeInitializationException or System.Reflection.TargetInvocationException) root = root.InnerException;
    await Console.Error.WriteLineAsync($"seedgrains-silo: failed to start: {root.Message}");
    return 2;
}
