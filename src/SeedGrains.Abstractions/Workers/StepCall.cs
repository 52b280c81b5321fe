using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Abstractions.Workers;

/// <summary>
/// One row for the next batch: a token window (mask ids mark positions to fill) from one session.
/// <paramref name="Tenant"/> and <paramref name="Priority"/> drive the worker's fair scheduling.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record StepCall(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Session,
    [property: Id(2)] SessionPriority Priority,
    [property: Id(3)] int[] Tokens,
    [property: Id(4)] StepPolicy Policy,
    [property: Id(5)] ulong Seed,
    [property: Id(6)] int StepsLeft);
