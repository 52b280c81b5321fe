using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// A rebased edit request applied to the canvas as versions: the edits (when the request sent any, or sent nothing at
/// all) as one change by the client with its editId — exactly the rebased ranges, which is what the client's own
/// transform expects to see acknowledged — then the regenerate ranges as a second change by the same client (masking
/// replaces text with placeholders; it carries the editId only when the request had no edits).
/// </summary>
internal static class EditApplier
{
    /// <param name="decoding">How the regenerated regions are decoded (the request's, resolved against the limits).</param>
    public static (DocumentCanvas Canvas, IReadOnlyList<TextChange> Changes) Apply(DocumentCanvas canvas, RebasedEditRequest rebased, EditRequest request, long version,
        RegionDecoding decoding)
    {
        var changes = new List<TextChange>(2);
        var current = canvas;
        if (request.Edits is { Count: > 0 } || rebased.Regenerate.Count == 0)
        {
            var edited = canvas.WithChange(rebased.Edits);
            current = edited.Canvas;
            changes.Add(new TextChange(version + 1, request.ClientId, edited.Ranges, request.EditId));
        }
        if (rebased.Regenerate.Count > 0)
        {
            var regenerated = current.WithRegenerated(rebased.Regenerate, decoding: decoding);
            current = regenerated.Canvas;
            changes.Add(new TextChange(version + 1 + changes.Count, request.ClientId, regenerated.Ranges, changes.Count == 0 ? request.EditId : null));
        }
        return (current, changes);
    }
}
