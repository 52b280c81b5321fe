namespace SeedGrains.Abstractions.Sessions;

/// <summary>Scheduling class of a session's denoising steps: interactive steps are batched before bulk ones.</summary>
[GenerateSerializer]
public enum SessionPriority
{
    Interactive = 0,
    Bulk = 1,
}
