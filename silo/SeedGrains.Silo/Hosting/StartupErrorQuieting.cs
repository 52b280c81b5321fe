namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Until the host has started, the errors a failing start-up logs on its way out (Orleans' lifecycle and silo, the
/// generic host's "Hosting failed to start": 60–90 lines of stack traces for one cause) are held back, because
/// Program.cs reports that failure as one line and exit code 2. <c>SEEDGRAINS_DEBUG=1</c> keeps them; once every
/// hosted service has started nothing is held back.
/// </summary>
internal sealed class StartupErrorQuieting : IHostedLifecycleService
{
    private static readonly string[] StartFailureCategories =
    [
        "Orleans.Runtime.SiloLifecycleSubject",
        "Orleans.Runtime.Silo",
        "Microsoft.Extensions.Hosting.Internal.Host",
    ];

    private volatile bool _started;

    public static void Add(IHostApplicationBuilder builder)
    {
        if (Environment.GetEnvironmentVariable("SEEDGRAINS_DEBUG") == "1") return;
        var quieting = new StartupErrorQuieting();
        // The logging system applies only the most specific rule per category, so a rule of our own would lose to
        // e.g. Logging:LogLevel:Orleans: every rule gets the check instead (after configuration has been bound).
        builder.Services.PostConfigure<LoggerFilterOptions>(options =>
        {
            var rules = options.Rules.ToList();
            options.Rules.Clear();
            options.Rules.Add(new LoggerFilterRule(null, null, null, (_, category, level) => quieting.Allows(category, level)));
            foreach (var rule in rules)
            {
                var filter = rule.Filter;
                options.Rules.Add(new LoggerFilterRule(rule.ProviderName, rule.CategoryName, rule.LogLevel,
                    (provider, category, level) => quieting.Allows(category, level) && (filter?.Invoke(provider, category, level) ?? true)));
            }
        });
        builder.Services.AddSingleton<IHostedService>(quieting);
    }

    private bool Allows(string? category, LogLevel level) =>
        level < LogLevel.Error || _started || category is null || !StartFailureCategories.Contains(category);

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _started = true;
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
