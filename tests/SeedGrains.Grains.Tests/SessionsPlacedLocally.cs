using Orleans.Metadata;
using Orleans.Runtime.Placement;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests;

/// <summary>
/// Test-only placement: a session activates on the silo whose grain factory first calls it (Orleans'
/// <see cref="PreferLocalPlacement"/>), so a test decides which silo hosts which session instead of leaving it to the
/// default placement, which may put every session on one silo. Other grains keep the default.
/// </summary>
internal sealed class SessionsPlacedLocally : IPlacementStrategyResolver
{
    public bool TryResolvePlacementStrategy(GrainType grainType, GrainProperties properties, out PlacementStrategy result)
    {
        var isSession = properties?.Properties.TryGetValue(WellKnownGrainTypeProperties.TypeName, out var name) == true
            && name == nameof(SessionGrain);
        result = isSession ? new PreferLocalPlacement() : null!;
        return isSession;
    }
}
