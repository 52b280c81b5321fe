namespace SeedGrains.Abstractions.Sessions;

/// <summary>Replace the [Start, End) character range of the current text with <paramref name="Text"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record TextEdit([property: Id(0)] int Start, [property: Id(1)] int End, [property: Id(2)] string Text);
