namespace SeedGrains.Abstractions.Sessions;

/// <summary>A version's status and generation progress: masked tokens left and the regions still generating.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionProgress(
    [property: Id(0)] SessionStatus Status,
    [property: Id(1)] int Masked,
    [property: Id(2)] IReadOnlyList<RegionView> Regions,
    [property: Id(3)] string? Error = null)
{
    public static SessionProgress Of(SessionSnapshot snapshot) => new(snapshot.Status, snapshot.Masked, snapshot.Regions, snapshot.Error);

    public bool Equals(SessionProgress? other) =>
        other is not null && Status == other.Status && Masked == other.Masked && Error == other.Error && Regions.SequenceEqual(other.Regions);

    public override int GetHashCode() => HashCode.Combine(Status, Masked, Regions.Count);
}
