using System.Reflection;

namespace SeedGrains.Silo.Playground;

/// <summary>
/// GET /: a single static page to paste code, select a region and watch it denoise over SSE; its script and style are
/// served as separate files so that the page's content security policy can forbid inline code.
/// </summary>
internal static class PlaygroundPage
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "playground.html", "text/html; charset=utf-8"),
        ("/playground.js", "playground.js", "text/javascript; charset=utf-8"),
        ("/playground.css", "playground.css", "text/css; charset=utf-8"),
    ];

    /// <summary>Whether <paramref name="path"/> is one of the playground's files (they share one security policy).</summary>
    public static bool Serves(PathString path) => Files.Any(f => path.Equals(f.Path, StringComparison.Ordinal));

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            var content = new Lazy<string>(() => Read(resource));
            app.MapGet(path, () => Results.Content(content.Value, contentType)).ExcludeFromDescription();
        }
    }

    private static string Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("SeedGrains.Silo.Playground." + resource)
            ?? throw new InvalidOperationException($"The playground's {resource} is missing from the assembly resources.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
