namespace SeedGrains.Silo.Api;

/// <summary>How client-supplied text is echoed back in errors: short, so a megabyte id cannot make a megabyte answer.</summary>
internal static class ApiText
{
    public const int MaxEchoChars = 64;

    public static string Echo(string value, int maxChars = MaxEchoChars) =>
        value.Length <= maxChars ? value : string.Concat(value.AsSpan(0, maxChars), "…");
}
