namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// Edits against the text of <paramref name="BaseVersion"/> (applied as if simultaneous: ranges refer to that text and
/// must not overlap), then <paramref name="Regenerate"/> ranges of the edited text to mask and fill, decoded by
/// <paramref name="Decoding"/> (null or unset fields: the configured defaults).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EditRequest(
    [property: Id(0)] long BaseVersion,
    [property: Id(1)] IReadOnlyList<TextEdit> Edits,
    [property: Id(2)] IReadOnlyList<TextRegion> Regenerate,
    [property: Id(3)] int MaxTextChars = int.MaxValue,
    [property: Id(4)] DecodingRequest? Decoding = null);
