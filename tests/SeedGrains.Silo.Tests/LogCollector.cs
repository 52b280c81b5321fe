using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SeedGrains.Silo.Tests;

/// <summary>Keeps every log entry of warning level and above, so tests can assert what the server did not log.</summary>
public sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>What Kestrel and the hosting layer write when a request escapes every handler.</summary>
    public IReadOnlyList<string> Unhandled() =>
        Entries.Where(e => e.Message.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase)
                || e.Category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) && e.Level >= LogLevel.Error)
            .Select(e => $"{e.Category}: {e.Message} {e.Exception?.GetType().Name}").ToList();

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner.Entries.Enqueue((category, logLevel, formatter(state, exception), exception));
        }
    }
}
