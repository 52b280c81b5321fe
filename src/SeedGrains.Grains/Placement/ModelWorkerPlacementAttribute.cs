using Orleans.Placement;

namespace SeedGrains.Grains.Placement;

/// <summary>Marks a grain class as placed by <see cref="ModelWorkerPlacementDirector"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ModelWorkerPlacementAttribute() : PlacementAttribute(ModelWorkerPlacement.Instance);
