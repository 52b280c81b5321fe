namespace SeedGrains.Postgres.Tests;

/// <summary>Status of a session-like document; stored by name.</summary>
public enum DocumentStatus
{
    Idle,
    Denoising,
}

/// <summary>Shaped like the session grain's state: a positional [GenerateSerializer] record with arrays and a nested record.</summary>
[GenerateSerializer]
public sealed record DocumentState(
    [property: Id(0)] int[] Tokens,
    [property: Id(1)] bool[] Masked,
    [property: Id(2)] float[] Confidence,
    [property: Id(3)] long Version,
    [property: Id(4)] DocumentStatus Status,
    [property: Id(5)] List<Watcher> Watchers,
    [property: Id(6)] Dictionary<string, int> Usage)
{
    public DocumentState()
        : this([], [], [], 0, DocumentStatus.Idle, [], [])
    {
    }
}

/// <summary>A nested record.</summary>
[GenerateSerializer]
public sealed record Watcher([property: Id(0)] string Name, [property: Id(1)] DateTimeOffset Since);

/// <summary>A mutable [GenerateSerializer] class with settable properties, as grains often use.</summary>
[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public int Count { get; set; }

    [Id(1)]
    public string? Note { get; set; }
}
