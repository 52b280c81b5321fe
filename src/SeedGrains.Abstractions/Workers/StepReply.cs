namespace SeedGrains.Abstractions.Workers;

/// <summary>The commits for one <see cref="StepCall"/>, and the size of the batch it rode in (for observability).</summary>
[GenerateSerializer, Immutable]
public sealed record StepReply([property: Id(0)] StepCommit[] Commits, [property: Id(1)] int BatchSize);
