using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Abstractions.Jobs;

/// <summary>
/// A job's own state as stored (the files and their results are stored beside it, one row each). Time spent running
/// is <see cref="ActiveSeconds"/> plus, while running, the time since <see cref="ActiveSince"/>: a paused job's clock stops.
/// </summary>
/// <param name="FilesUploaded">Files submitted, matched or not.</param>
/// <param name="FilesTotal">Files the selection matched: the job's files.</param>
[GenerateSerializer, Immutable]
public sealed record JobRecord(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Id,
    [property: Id(2)] JobStatus Status,
    [property: Id(3)] int FilesUploaded,
    [property: Id(4)] int FilesTotal,
    [property: Id(5)] int Concurrency,
    [property: Id(6)] DecodingRequest? Decoding,
    [property: Id(7)] int MaxTextChars,
    [property: Id(8)] DateTimeOffset Created,
    [property: Id(9)] DateTimeOffset? Started = null,
    [property: Id(10)] DateTimeOffset? Finished = null,
    [property: Id(11)] double ActiveSeconds = 0,
    [property: Id(12)] DateTimeOffset? ActiveSince = null,
    [property: Id(13)] string? Error = null,
    [property: Id(14)] string? Selection = null);
