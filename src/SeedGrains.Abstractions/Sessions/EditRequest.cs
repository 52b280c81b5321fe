namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// Edits against the text of <paramref name="BaseVersion"/> (applied as if simultaneous: ranges refer to that text and
/// must not overlap), then <paramref name="Regenerate"/> ranges of the edited text to mask and fill, decoded by
/// <paramref name="Decoding"/> (null or unset fields: the configured defaults). The base may be any version still in
/// the session's change log: the session rebases the request onto its current version.
/// </summary>
/// <param name="ClientId">The author recorded with the change (null: anonymous); "model" is reserved.</param>
/// <param name="EditId">The client's id of this edit, echoed in the change (how a client recognises its acknowledgement).</param>
[GenerateSerializer, Immutable]
public sealed record EditRequest(
    [property: Id(0)] long BaseVersion,
    [property: Id(1)] IReadOnlyList<TextEdit> Edits,
    [property: Id(2)] IReadOnlyList<TextRegion> Regenerate,
    [property: Id(3)] int MaxTextChars = int.MaxValue,
    [property: Id(4)] DecodingRequest? Decoding = null,
    [property: Id(10)] string? ClientId = null,
    [property: Id(11)] string? EditId = null);
