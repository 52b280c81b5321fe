using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Abstractions.Workers;

/// <summary>
/// One row for the next batch: a token window (mask ids mark positions to fill) from one session.
/// <paramref name="Tenant"/>, <paramref name="Priority"/> and <paramref name="Weight"/> drive the worker's fair
/// scheduling: within a priority class, tenants are served by weighted round-robin (a tenant of weight 2 gets two rows
/// per turn where a tenant of weight 1 gets one). Only masks in window positions [<paramref name="CommitFrom"/>,
/// <paramref name="CommitTo"/>) may be committed: the current semi-AR block of a region, or the regions of the window
/// that share one decoding; the other masks are read as masks.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record StepCall(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Session,
    [property: Id(2)] SessionPriority Priority,
    [property: Id(3)] int[] Tokens,
    [property: Id(4)] StepPolicy Policy,
    [property: Id(5)] ulong Seed,
    [property: Id(6)] int StepsLeft,
    [property: Id(7)] int Weight = 1,
    [property: Id(8)] int CommitFrom = 0,
    [property: Id(9)] int CommitTo = int.MaxValue);
