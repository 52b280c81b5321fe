using System.Text.Json;
using System.Text.RegularExpressions;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Turns a <see cref="JsonException"/> into a client's terms: the field by its JSON path and the kind of value expected.
/// The serializer's own messages name .NET types (`System.Int32`, `SeedGrains.…RegionBody`), which mean nothing to a
/// client and leak the implementation.
/// </summary>
internal static partial class JsonErrorText
{
    public static string Describe(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        var field = Field(ex.Path);
        if (ex.InnerException is { } inner && inner.Message.Contains("UTF-8", StringComparison.OrdinalIgnoreCase)
            || message.Contains("UTF-8", StringComparison.OrdinalIgnoreCase))
            return $"The body is not valid UTF-8 (at {field}).";
        if (ConvertedTo().Match(message) is { Success: true } converted)
            return $"{Capitalized(field)}: expected {Expected(converted.Groups[1].Value)}.";
        if (MissingRequired().Match(message) is { Success: true } missing)
            return $"{Capitalized(field)}: missing required field {missing.Groups[1].Value}.";
        if (InternalName().IsMatch(message))
            return $"{Capitalized(field)}: invalid value.";
        return $"The body is not valid JSON (at {field}{Position(ex)}): {message}";
    }

    /// <summary>The field a JSON error is about ("$.regions[0].start" → "regions[0].start"); null for the body itself.</summary>
    public static string? Param(JsonException ex) =>
        ex.Path is null or "$" || !ex.Path.StartsWith('$') ? null : ex.Path.TrimStart('$', '.');

    /// <summary>"$.regions[0].start" → "field `regions[0].start`"; the root is "the body".</summary>
    private static string Field(string? path) =>
        path is null or "$" || !path.StartsWith('$') ? "the body" : $"field `{path.TrimStart('$', '.')}`";

    private static string Capitalized(string field) => char.ToUpperInvariant(field[0]) + field[1..];

    private static string Position(JsonException ex) =>
        ex.LineNumber is { } line ? $", line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}" : "";

    private static string Expected(string type) => type switch
    {
        _ when type.Contains("List`1", StringComparison.Ordinal) || type.EndsWith("[]", StringComparison.Ordinal) => "an array",
        _ when type.Contains("Int32", StringComparison.Ordinal) => "an integer from -2147483648 to 2147483647",
        _ when type.Contains("Int64", StringComparison.Ordinal) => "an integer from -9223372036854775808 to 9223372036854775807",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when type.Contains("String", StringComparison.Ordinal) => "a string",
        _ when type.Contains("SessionPriority", StringComparison.Ordinal) => "\"interactive\" or \"bulk\"",
        _ => "an object",
    };

    [GeneratedRegex(@"could not be converted to (\S+?)\.?$")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"missing required properties including: (.+?)\.?$")]
    private static partial Regex MissingRequired();

    /// <summary>A .NET namespace-qualified name: what must never reach a client.</summary>
    [GeneratedRegex(@"\b(System|SeedGrains|Microsoft|Orleans)\.[A-Za-z]")]
    public static partial Regex InternalName();
}
