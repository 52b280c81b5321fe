using System.Text.Json;
using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>
/// A `snapshot` or `change` event of the session stream, read from its JSON: the change as the client library's
/// <see cref="TextChange"/> (null for a snapshot), the snapshot's text (null for a change), and the status after it
/// (null on a replayed change that carries none).
/// </summary>
internal sealed record WireEvent(long Version, TextChange? Change, string? Text, string? Status)
{
    public static WireEvent Parse(SseFrame frame)
    {
        using var json = JsonDocument.Parse(frame.Data);
        var root = json.RootElement;
        var version = root.GetProperty("version").GetInt64();
        var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        if (frame.Event == "snapshot")
            return new WireEvent(version, null, root.GetProperty("text").GetString()!, status);
        if (frame.Event != "change")
            throw new InvalidOperationException($"not a snapshot or change event: '{frame.Event}'");
        var ranges = root.GetProperty("ops").EnumerateArray()
            .Select(op => new ReplacedRange(op.GetProperty("start").GetInt32(), op.GetProperty("end").GetInt32(), op.GetProperty("text").GetString()!))
            .ToList();
        return new WireEvent(version, new TextChange(version, Optional(root, "author"), ranges, Optional(root, "editId")), null, status);
    }

    private static string? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
