namespace SeedGrains.Abstractions.Sessions;

/// <summary>Start a session on <paramref name="Text"/>, masking <paramref name="Regions"/> (character ranges, non-overlapping).</summary>
/// <param name="Transient">Forget the session (clear its state) once it settles — used by one-shot completions.</param>
/// <param name="MaxTextChars">The caller's text length limit (tenant quota / host limit), enforced by the grain.</param>
/// <param name="Decoding">How the regions are decoded; null or unset fields: the configured defaults.</param>
[GenerateSerializer, Immutable]
public sealed record CreateSessionRequest(
    [property: Id(0)] string Text,
    [property: Id(1)] IReadOnlyList<TextRegion> Regions,
    [property: Id(2)] SessionPriority Priority = SessionPriority.Interactive,
    [property: Id(3)] bool Transient = false,
    [property: Id(4)] int MaxTextChars = int.MaxValue,
    [property: Id(5)] DecodingRequest? Decoding = null);
