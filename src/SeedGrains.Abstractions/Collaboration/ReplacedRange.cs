namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// Replace the [<paramref name="Start"/>, <paramref name="End"/>) range (UTF-16 code units of the text before the
/// change) with <paramref name="Text"/>. Start == End is an insertion; an empty text is a deletion.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReplacedRange([property: Id(0)] int Start, [property: Id(1)] int End, [property: Id(2)] string Text)
{
    public bool IsInsertion => Start == End;

    /// <summary>Neither removes nor inserts anything (dropped by <see cref="RangeSet.WithoutNoOps"/>).</summary>
    public bool IsNoOp => Start == End && Text.Length == 0;

    /// <summary>How much longer the text gets.</summary>
    public int LengthDelta => Text.Length - (End - Start);
}
