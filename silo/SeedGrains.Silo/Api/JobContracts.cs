using System.Text.Json.Serialization;
using SeedGrains.Abstractions.Jobs;

namespace SeedGrains.Silo.Api;

/// <summary>One file of a job: a relative path, its text, and (for <c>"select": "ranges"</c>) the ranges to regenerate.</summary>
public sealed class JobFileBody
{
    internal const string Shape = "{path, text}";

    [JsonRequired] public string Path { get; init; } = "";
    [JsonRequired] public string Text { get; init; } = "";
    public List<RegionBody>? Ranges { get; init; }
}

/// <summary>
/// POST /v1/jobs body (JSON): the files, what to regenerate in each (<c>select</c>: <c>todo</c>, <c>regex:PATTERN</c>,
/// <c>python-body:NAME_PATTERN</c> or <c>ranges</c>), how (<c>decoding</c>, as for sessions) and at most how many files at once.
/// </summary>
public sealed class CreateJobBody : IRequestBody
{
    [JsonRequired] public List<JobFileBody> Files { get; init; } = [];
    [JsonRequired] public string Select { get; init; } = "";
    public DecodingBody? Decoding { get; init; }

    /// <summary>Files generated at once (default 4, at most the server's <c>Jobs:MaxConcurrency</c>).</summary>
    public int? Concurrency { get; init; }

    void IRequestBody.Validate()
    {
        BodyRules.RequireString(Select, "select");
        BodyRules.RequireItems(Files, "files", JobFileBody.Shape, (file, field) =>
        {
            BodyRules.RequireString(file.Path, $"{field}.path");
            BodyRules.RequireString(file.Text, $"{field}.text");
            BodyRules.RequireItems(file.Ranges, $"{field}.ranges", RegionBody.Shape);
        });
    }
}

/// <summary>A job as GET /v1/jobs/{id} answers it; <c>filesDone</c> counts failed files too, <c>etaSeconds</c> is null until a file has landed.</summary>
public sealed record JobView(string Id, string Status, int FilesUploaded, int FilesTotal, int FilesDone, int FilesFailed, long Tokens,
    double ElapsedSeconds, double? EtaSeconds, double? TokensPerSecond, int Concurrency, int InFlight, DateTimeOffset Created, DateTimeOffset? Finished,
    string? Error, string? Select)
{
    public static JobView From(JobProgress p) => new(p.Id, p.Status.ToWire(), p.FilesUploaded, p.FilesTotal, p.FilesDone, p.FilesFailed, p.Tokens,
        p.ElapsedSeconds, p.EtaSeconds, p.ElapsedSeconds > 0 ? Math.Round(p.Tokens / p.ElapsedSeconds, 2) : null, p.Concurrency, p.InFlight, p.Created,
        p.Finished, p.Error, p.Selection);
}

/// <summary>GET /v1/jobs answer: the tenant's jobs, newest first.</summary>
public sealed record JobList(IReadOnlyList<JobView> Data);

/// <summary>GET /v1/jobs/{id}/files/{n}: file n's path, status (pending, succeeded, failed), new text and tokens.</summary>
public sealed record JobFileView(int Index, string Path, string Status, string? Text, long Tokens, string? Error)
{
    public static JobFileView From(JobFileRecord f) => new(f.Index, f.File.Path, f.Outcome switch
    {
        JobFileOutcome.Succeeded => "succeeded",
        JobFileOutcome.Failed => "failed",
        _ => "pending",
    }, f.Result?.NewText, f.Result?.Tokens ?? 0, f.Result?.Error);
}
