using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Abstractions.Jobs;

/// <summary>
/// A job to start: the files its selection matched (each with its regions), how many were uploaded in all, how the
/// regions are decoded, and at most how many files are generated at once.
/// </summary>
/// <param name="MaxTextChars">The caller's text length limit, enforced by each file's session.</param>
/// <param name="Selection">How the regions were chosen, as the client said it (shown back, never interpreted).</param>
[GenerateSerializer, Immutable]
public sealed record CreateJobRequest(
    [property: Id(0)] IReadOnlyList<JobFile> Files,
    [property: Id(1)] int FilesUploaded,
    [property: Id(2)] int Concurrency,
    [property: Id(3)] DecodingRequest? Decoding = null,
    [property: Id(4)] int MaxTextChars = int.MaxValue,
    [property: Id(5)] string? Selection = null);
