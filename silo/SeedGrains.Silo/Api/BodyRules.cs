namespace SeedGrains.Silo.Api;

/// <summary>The checks request bodies share; each failure is a 400 "Invalid request" naming the field.</summary>
internal static class BodyRules
{
    public static void RequireString(string? value, string field)
    {
        if (value is null) throw Invalid($"{field} must be a string, not null.", field);
    }

    /// <summary>An optional client-chosen id (clientId, editId): 1 to 128 characters when present.</summary>
    public static void RequireShortId(string? value, string field)
    {
        if (value is not null && (value.Length == 0 || value.Length > 128)) throw Invalid($"{field} must have 1 to 128 characters.", field);
    }

    /// <summary>
    /// Every item of an optional list must be present, and valid by its own rule. The lists are typed non-null (that
    /// is the contract), but JSON can still put a null in them.
    /// </summary>
    public static void RequireItems<T>(IReadOnlyList<T>? items, string field, string shape, Action<T, string>? validate = null) where T : class
    {
        if (items is null) return;
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item) throw Invalid($"{field}[{i}] must be an object {shape}, not null.", $"{field}[{i}]");
            validate?.Invoke(item, $"{field}[{i}]");
        }
    }

    public static ApiProblemException Invalid(string detail, string? field = null) =>
        new(StatusCodes.Status400BadRequest, "Invalid request", detail) { Param = field };
}
