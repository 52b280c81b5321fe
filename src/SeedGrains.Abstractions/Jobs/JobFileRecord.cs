namespace SeedGrains.Abstractions.Jobs;

/// <summary>A stored file of a job: what was submitted and, once it landed, its result.</summary>
[GenerateSerializer, Immutable]
public sealed record JobFileRecord(
    [property: Id(0)] int Index,
    [property: Id(1)] JobFile File,
    [property: Id(2)] JobFileResult? Result)
{
    public JobFileOutcome Outcome => Result?.Outcome ?? JobFileOutcome.Pending;
}
