namespace SeedGrains.Grains.Placement;

/// <summary>
/// Places a model worker on the silo named in its key (<c>model/device/silo</c>): workers own a device of one
/// particular machine, which role- or hash-based placement cannot express.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class ModelWorkerPlacement : PlacementStrategy
{
    public static ModelWorkerPlacement Instance { get; } = new();
}
