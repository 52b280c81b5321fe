namespace SeedGrains.Abstractions.Sessions;

/// <summary>A client's presence as of <paramref name="Version"/>; <paramref name="Left"/>: it expired (30 s of silence).</summary>
[GenerateSerializer, Immutable]
public sealed record PresenceView(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string? DisplayName,
    [property: Id(2)] long Version,
    [property: Id(3)] int? Cursor,
    [property: Id(4)] int? SelectionStart,
    [property: Id(5)] int? SelectionEnd,
    [property: Id(6)] bool Left = false);
