namespace SeedGrains.Abstractions.Sessions;

/// <summary>What caused a <see cref="SessionUpdate"/>.</summary>
[GenerateSerializer]
public enum SessionUpdateKind
{
    /// <summary>The state when the watcher subscribed.</summary>
    Snapshot = 0,
    /// <summary>A denoising step committed tokens.</summary>
    Step = 1,
    /// <summary>A client edit (or creation) changed the document.</summary>
    Edit = 2,
    /// <summary>Status changed without new tokens (finished, cancelled, failed).</summary>
    Status = 3,
}
