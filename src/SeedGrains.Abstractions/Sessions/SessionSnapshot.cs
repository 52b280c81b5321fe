namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// The document as of <paramref name="Version"/>. While denoising, each still-masked token shows in
/// <paramref name="Text"/> as <see cref="MaskPlaceholder"/>, and <paramref name="Regions"/> lists where generation is going on.
/// </summary>
/// <param name="Masked">Masked tokens left in the whole document.</param>
/// <param name="Error">Why the session failed (status <see cref="SessionStatus.Failed"/>), else null.</param>
/// <param name="Generated">Tokens the model has written into this document since it was created, counted as the tenant's
/// usage counts them (pads that the pad-ends-region rule fills are not), and kept across failovers: a job's file reports
/// it. A step lost in a crash is generated again and counted once.</param>
[GenerateSerializer, Immutable]
public sealed record SessionSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] long Version,
    [property: Id(2)] SessionStatus Status,
    [property: Id(3)] string Text,
    [property: Id(4)] int Masked,
    [property: Id(5)] IReadOnlyList<RegionView> Regions,
    [property: Id(6)] string? Error = null,
    [property: Id(7)] long Generated = 0)
{
    /// <summary>How a still-masked token is rendered in <see cref="Text"/>.</summary>
    public const string MaskPlaceholder = "<|mask|>";

    /// <summary>Value equality, including the regions' contents (a record alone would compare the list by reference).</summary>
    public bool Equals(SessionSnapshot? other) =>
        other is not null && Id == other.Id && Version == other.Version && Status == other.Status && Text == other.Text
        && Masked == other.Masked && Error == other.Error && Generated == other.Generated && Regions.SequenceEqual(other.Regions);

    public override int GetHashCode() => HashCode.Combine(Id, Version, Status, Text, Masked);
}
