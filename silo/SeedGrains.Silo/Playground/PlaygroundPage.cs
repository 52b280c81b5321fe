using System.Reflection;

namespace SeedGrains.Silo.Playground;

/// <summary>
/// GET /: a small collaborative editor to paste code, regenerate a selection and watch it denoise while people keep
/// typing. Its script and style are separate files so that the page's content security policy can forbid inline
/// code; the JavaScript client it is built on (clients/js, embedded at build time) is served at /client/*.js, so the
/// page needs nothing from the internet.
/// </summary>
internal static class PlaygroundPage
{
    private const string ResourcePrefix = "SeedGrains.Silo.Playground.";
    private const string ClientPrefix = ResourcePrefix + "client.";
    private const string JavaScript = "text/javascript; charset=utf-8";

    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "playground.html", "text/html; charset=utf-8"),
        ("/playground.js", "playground.js", JavaScript),
        ("/playground.css", "playground.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "favicon.svg", "image/svg+xml"),
        .. Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Where(name => name.StartsWith(ClientPrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => ("/client/" + name[ClientPrefix.Length..], name[ResourcePrefix.Length..], JavaScript)),
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
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + resource)
            ?? throw new InvalidOperationException($"The playground's {resource} is missing from the assembly resources.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
