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

/// <summary>
/// POST /v1/sessions/{id}/edits body: <c>baseVersion</c> may be any version still in the session's change log (the
/// server rebases the edit); <c>clientId</c> is recorded as the change's author, <c>editId</c> echoed in it.
/// </summary>
public sealed class EditBody : IRequestBody
{
    [JsonRequired] public long BaseVersion { get; init; }
    public List<EditBodyItem>? Edits { get; init; }
    public List<RegionBody>? Regenerate { get; init; }
    public string? ClientId { get; init; }
    public string? EditId { get; init; }

    /// <summary>How the <see cref="Regenerate"/> regions are decoded (unset: the server's defaults).</summary>
    public DecodingBody? Decoding { get; init; }

    void IRequestBody.Validate()
    {
        BodyRules.RequireShortId(ClientId, "clientId");
        BodyRules.RequireShortId(EditId, "editId");
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

/// <summary>A [start, end) selection (UTF-16 code units).</summary>
public sealed record SelectionBody([property: JsonRequired] int Start, [property: JsonRequired] int End);

/// <summary>POST /v1/sessions/{id}/presence body: where a client's cursor and selection are in the text of <c>baseVersion</c>.</summary>
public sealed class PresenceBody : IRequestBody
{
    [JsonRequired] public string ClientId { get; init; } = "";
    public string? DisplayName { get; init; }
    [JsonRequired] public long BaseVersion { get; init; }
    public int? Cursor { get; init; }
    public SelectionBody? Selection { get; init; }

    void IRequestBody.Validate()
    {
        BodyRules.RequireString(ClientId, "clientId");
        BodyRules.RequireShortId(ClientId, "clientId");
    }

    internal PresenceUpdate ToUpdate() => new(ClientId, DisplayName, BaseVersion, Cursor, Selection?.Start, Selection?.End);
}

/// <summary>One replaced range of an event's <c>ops</c>: [start, end) of the previous version's text becomes <c>text</c>.</summary>
public sealed record OpView(int Start, int End, string Text);

/// <summary>
/// SSE <c>change</c> event: what produced <see cref="Version"/> from the version before — <see cref="Ops"/>, its
/// <see cref="Author"/> (clientId, "model", or null) and <see cref="EditId"/> — and the status and regions after it
/// (null on replayed changes except the newest).
/// </summary>
public sealed record ChangeEventView(long Version, string? Author, string? EditId, IReadOnlyList<OpView> Ops, string? Status, int? Masked,
    IReadOnlyList<RegionStatus>? Regions, string? Error)
{
    public static ChangeEventView From(SessionEvent e) => new(e.Version, e.Change!.Author, e.Change.EditId,
        e.Change.Ranges.Select(r => new OpView(r.Start, r.End, r.Text)).ToList(), e.Progress?.Status.ToWire(), e.Progress?.Masked,
        e.Progress?.Regions.Select(r => new RegionStatus(r.Start, r.End, r.Masked, r.FirstMask)).ToList(), e.Progress?.Error);
}

/// <summary>SSE <c>presence</c> event: a client's cursor and selection in the text of <see cref="Version"/>; <see cref="Left"/> once it expired.</summary>
public sealed record PresenceEventView(string ClientId, string? DisplayName, long Version, int? Cursor, SelectionBody? Selection, bool Left)
{
    public static PresenceEventView From(PresenceView p) => new(p.ClientId, p.DisplayName, p.Version, p.Cursor,
        p.SelectionStart is { } s && p.SelectionEnd is { } e ? new SelectionBody(s, e) : null, p.Left);
}
