using System.Reflection;

namespace SeedGrains.Silo.Playground;

/// <summary>GET /: a single static page to paste code, select a region and watch it denoise over SSE.</summary>
internal static class PlaygroundPage
{
    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("SeedGrains.Silo.Playground.playground.html")
            ?? throw new InvalidOperationException("The playground page is missing from the assembly resources.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/", () => Results.Content(Html.Value, "text/html; charset=utf-8")).ExcludeFromDescription();
}
