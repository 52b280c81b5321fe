namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// What produced <paramref name="Version"/> from the text of version − 1: <paramref name="Ranges"/> of that text,
/// replaced all at once (a valid <see cref="RangeSet"/>; empty for a version that changed no text, e.g. a cancel).
/// </summary>
/// <param name="Author">The person's clientId, <see cref="ChangeAuthors.Model"/>, or null for an anonymous person.</param>
/// <param name="EditId">For a person's change, the id the client gave the edit (how it recognises its own acknowledgement).</param>
[GenerateSerializer, Immutable]
public sealed record TextChange(
    [property: Id(0)] long Version,
    [property: Id(1)] string? Author,
    [property: Id(2)] IReadOnlyList<ReplacedRange> Ranges,
    [property: Id(3)] string? EditId = null)
{
    public bool IsByModel => ChangeAuthors.IsModel(Author);

    /// <summary>The text of <see cref="Version"/>, given the text of the version before; throws on invalid ranges, applying nothing.</summary>
    public string Apply(string text) => RangeSet.Apply(text, Ranges);

    /// <summary>How much longer the text got.</summary>
    public int LengthDelta => RangeSet.LengthDelta(Ranges);

    /// <summary>Value equality, including the ranges' contents (a record alone would compare the list by reference).</summary>
    public bool Equals(TextChange? other) =>
        other is not null && Version == other.Version && Author == other.Author && EditId == other.EditId && Ranges.SequenceEqual(other.Ranges);

    public override int GetHashCode() => HashCode.Combine(Version, Author, EditId, Ranges.Count);

    /// <summary>A rough size in memory, for the change log's byte cap.</summary>
    public long EstimatedBytes => 64 + (Author?.Length ?? 0) * 2 + (EditId?.Length ?? 0) * 2 + Ranges.Sum(r => 40L + r.Text.Length * 2);
}
