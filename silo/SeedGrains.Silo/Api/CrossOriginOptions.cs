namespace SeedGrains.Silo.Api;

/// <summary>
/// Configuration section <c>Cors</c>: web origins (e.g. an editor running in a browser) allowed to call the API.
/// Off by default: browsers then refuse cross-origin calls.
/// </summary>
public sealed class CrossOriginOptions
{
    public const string Section = "Cors";

    /// <summary>`https://editor.example.com`-style origins; `*` allows any. An array or one comma-separated string.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; set; } = [];

    /// <summary>Reads <see cref="AllowedOrigins"/> in either form (`--Cors:AllowedOrigins=a,b` or an appsettings array).</summary>
    public static IReadOnlyList<string> ReadAllowedOrigins(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section).GetSection(nameof(AllowedOrigins));
        var values = section.Value is { } single ? [single] : section.GetChildren().Select(c => c.Value ?? "");
        return values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(o => o.TrimEnd('/')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }
}
