namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// A region still being generated: its [Start, End) range in the snapshot's text, its masked token count, and where
/// in the text its first still-masked token is rendered. The offset is what tells a mask from a document's own
/// "&lt;|mask|&gt;" text, which the placeholder looks exactly like.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RegionView([property: Id(0)] int Start, [property: Id(1)] int End, [property: Id(2)] int Masked, [property: Id(3)] int FirstMask);
