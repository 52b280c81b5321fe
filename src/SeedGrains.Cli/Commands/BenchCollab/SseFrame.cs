namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>One server-sent event as it came over the wire: its name, id, data and size in bytes (UTF-8, framing lines included).</summary>
internal sealed record SseFrame(string? Event, string? Id, string Data, int Bytes);
