namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// A [Start, End) character range of the document to rewrite. <paramref name="MaxTokens"/> overrides the
/// mask budget rule (see <c>docs/api.md</c>); completions use it for `max_tokens`.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TextRegion([property: Id(0)] int Start, [property: Id(1)] int End, [property: Id(2)] int? MaxTokens = null);
