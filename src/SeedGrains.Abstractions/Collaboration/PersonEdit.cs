namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// A person's edit as sent: <paramref name="Ranges"/> of the text of <paramref name="BaseVersion"/> (a valid
/// <see cref="RangeSet"/>), to be rebased onto the current version.
/// </summary>
/// <param name="ClientId">Null for an anonymous edit; never <see cref="ChangeAuthors.Model"/>.</param>
/// <param name="EditId">The client's id of this edit, echoed in the change it becomes; null when the client does not track acknowledgements.</param>
[GenerateSerializer, Immutable]
public sealed record PersonEdit(
    [property: Id(0)] string? ClientId,
    [property: Id(1)] string? EditId,
    [property: Id(2)] long BaseVersion,
    [property: Id(3)] IReadOnlyList<ReplacedRange> Ranges)
{
    /// <summary>Value equality, including the ranges' contents (a record alone would compare the list by reference).</summary>
    public bool Equals(PersonEdit? other) =>
        other is not null && ClientId == other.ClientId && EditId == other.EditId && BaseVersion == other.BaseVersion
        && Ranges.SequenceEqual(other.Ranges);

    public override int GetHashCode() => HashCode.Combine(ClientId, EditId, BaseVersion, Ranges.Count);
}
