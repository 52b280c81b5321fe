using System.Text.Json.Serialization;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Silo.Api;

/// <summary>A [start, end) character range (UTF-16 code units); maxTokens overrides the mask budget rule.</summary>
public sealed class RegionBody
{
    internal const string Shape = "{start, end}";

    [JsonRequired] public int Start { get; init; }
    [JsonRequired] public int End { get; init; }
    public int? MaxTokens { get; init; }

    internal TextRegion ToRegion() => new(Start, End, MaxTokens);
}

/// <summary>POST /v1/sessions body.</summary>
public sealed class CreateSessionBody : IRequestBody
{
    [JsonRequired] public string Text { get; init; } = "";
    public List<RegionBody>? Regions { get; init; }
    public SessionPriority Priority { get; init; } = SessionPriority.Interactive;

    /// <summary>How the regions are decoded (unset: the server's defaults).</summary>
    public DecodingBody? Decoding { get; init; }

    void IRequestBody.Validate()
    {
        BodyRules.RequireString(Text, "text");
        BodyRules.RequireItems(Regions, "regions", RegionBody.Shape);
    }
}

/// <summary>One replacement of a [start, end) range of the base version's text.</summary>
public sealed class EditBodyItem
{
    internal const string Shape = "{start, end, text}";

    [JsonRequired] public int Start { get; init; }
    [JsonRequired] public int End { get; init; }
    [JsonRequired] public string Text { get; init; } = "";
}

/// <summary>POST /v1/sessions/{id}/edits body.</summary>
public sealed class EditBody : IRequestBody
{
    [JsonRequired] public long BaseVersion { get; init; }
    public List<EditBodyItem>? Edits { get; init; }
    public List<RegionBody>? Regenerate { get; init; }

    /// <summary>How the <see cref="Regenerate"/> regions are decoded (unset: the server's defaults).</summary>
    public DecodingBody? Decoding { get; init; }

    void IRequestBody.Validate()
    {
        BodyRules.RequireItems(Edits, "edits", EditBodyItem.Shape, (edit, field) => BodyRules.RequireString(edit.Text, $"{field}.text"));
        BodyRules.RequireItems(Regenerate, "regenerate", RegionBody.Shape);
    }
}

/// <summary>201 answer of POST /v1/sessions.</summary>
public sealed record SessionCreated(string Id, long Version, string Status);

/// <summary>
/// A region still generating: its range in <see cref="SessionView.Text"/>, masked tokens left, and where its first
/// mask placeholder starts (which tells it from "&lt;|mask|&gt;" written in the document itself).
/// </summary>
public sealed record RegionStatus(int Start, int End, int Masked, int FirstMask);

/// <summary>The document as of a version (GET, edits, cancel, and every SSE event).</summary>
public sealed record SessionView(string Id, long Version, string Status, string Text, int Masked, IReadOnlyList<RegionStatus> Regions, string? Error)
{
    public static SessionView From(SessionSnapshot s) =>
        new(s.Id, s.Version, s.Status.ToWire(), s.Text, s.Masked, s.Regions.Select(r => new RegionStatus(r.Start, r.End, r.Masked, r.FirstMask)).ToList(), s.Error);
}

/// <summary>One entry of GET /v1/sessions; <see cref="Version"/> is the last one the index recorded (it is not updated on every denoising step).</summary>
public sealed record SessionListItem(string Id, string Status, long Version, DateTimeOffset Created, DateTimeOffset Updated, int Size);

/// <summary>GET /v1/sessions answer: newest first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next page (null on the last).</summary>
public sealed record SessionList(IReadOnlyList<SessionListItem> Data, string? NextCursor)
{
    public static SessionList From(SessionPage page) =>
        new(page.Data.Select(s => new SessionListItem(s.Id, s.Status.ToWire(), s.Version, s.Created, s.Updated, s.Size)).ToList(), page.NextCursor);
}
