using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SeedGrains.Cli.Commands;

/// <summary>How `seedgrains admin` prints: aligned tables (or key: value lines) for people, the server's JSON with --json.</summary>
internal static class AdminOutput
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static void Raw(JsonElement value) => Console.WriteLine(JsonSerializer.Serialize(value, Json));

    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();
        Console.WriteLine(Line(headers));
        foreach (var row in all) Console.WriteLine(Line(row));
    }

    /// <summary>A tenant as "key: value" lines: status, created, each quota and the usage summary.</summary>
    public static void Tenant(JsonElement tenant)
    {
        Console.WriteLine($"id: {Text(tenant, "id")}");
        Console.WriteLine($"status: {Text(tenant, "status")}");
        Console.WriteLine($"created: {Text(tenant, "createdAt")}");
        foreach (var group in new[] { "quotas", "usage" })
            if (tenant.TryGetProperty(group, out var values))
                foreach (var property in values.EnumerateObject())
                    Console.WriteLine($"{group}.{property.Name}: {property.Value}");
    }

    public static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.ToString()
            : "-";

    public static string Number(JsonElement element, string group, string property) =>
        element.TryGetProperty(group, out var values) && values.TryGetProperty(property, out var value)
            ? value.GetInt64().ToString(CultureInfo.InvariantCulture)
            : "-";
}
