namespace SeedGrains.Abstractions.Jobs;

/// <summary>
/// A job as a client sees it: status, files total / done (with a result, failed ones included) / failed, tokens
/// generated, seconds spent running and the estimated seconds left (null until a file has landed, or once finished).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JobProgress(
    [property: Id(0)] string Id,
    [property: Id(1)] JobStatus Status,
    [property: Id(2)] int FilesUploaded,
    [property: Id(3)] int FilesTotal,
    [property: Id(4)] int FilesDone,
    [property: Id(5)] int FilesFailed,
    [property: Id(6)] long Tokens,
    [property: Id(7)] double ElapsedSeconds,
    [property: Id(8)] double? EtaSeconds,
    [property: Id(9)] int Concurrency,
    [property: Id(10)] int InFlight,
    [property: Id(11)] DateTimeOffset Created,
    [property: Id(12)] DateTimeOffset? Finished,
    [property: Id(13)] string? Error,
    [property: Id(14)] string? Selection);
