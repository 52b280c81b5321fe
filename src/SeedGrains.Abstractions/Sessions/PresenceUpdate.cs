namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// A client's cursor and selection in the text of <paramref name="BaseVersion"/> (UTF-16 offsets); the session rebases
/// them to its current version. Never persisted.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PresenceUpdate(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string? DisplayName,
    [property: Id(2)] long BaseVersion,
    [property: Id(3)] int? Cursor,
    [property: Id(4)] int? SelectionStart = null,
    [property: Id(5)] int? SelectionEnd = null);
