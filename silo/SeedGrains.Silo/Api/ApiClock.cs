namespace SeedGrains.Silo.Api;

/// <summary>
/// The HTTP layer's clock (completion deadlines, `created` stamps). A holder instead of a <see cref="TimeProvider"/>
/// registration because Orleans resolves <see cref="TimeProvider"/> from the same container: tests swap this clock for a
/// fake one without moving the silo's.
/// </summary>
public sealed class ApiClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
