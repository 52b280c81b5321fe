using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Jobs;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Jobs;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Turns uploaded files and a selection into a job request: paths checked (relative, no "..", unique), each file's
/// regions found by the selection, and files the selection does not match left out (the job counts them as uploaded).
/// </summary>
internal static class JobSubmission
{
    public const int DefaultConcurrency = 4;

    public static CreateJobRequest Build(IReadOnlyList<(string Path, string? Text, IReadOnlyList<TextRegion>? Ranges)> uploaded, string select,
        DecodingRequest? decoding, int? concurrency, int maxTextChars)
    {
        if (concurrency is < 1) throw BodyRules.Invalid("concurrency must be at least 1.", "concurrency");
        JobSelection selection;
        try
        {
            selection = select == "ranges" ? new RangesSelection() : JobSelectionSyntax.Parse(select);
        }
        catch (InvalidSessionRequestException ex)
        {
            throw BodyRules.Invalid(ex.Message + " (or ranges, with each file's ranges).", "select");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<JobFile>();
        for (var i = 0; i < uploaded.Count; i++)
        {
            var (path, text, ranges) = uploaded[i];
            CheckPath(path, i);
            if (!seen.Add(path)) throw BodyRules.Invalid($"files[{i}].path '{ApiText.Echo(path)}' appears twice.", $"files[{i}].path");
            if (text is null) continue; // not UTF-8 text (archives): left out
            if (text.Length > maxTextChars)
                throw BodyRules.Invalid($"{ApiText.Echo(path)} has {text.Length} characters; the limit is {maxTextChars}.", $"files[{i}].text");
            IReadOnlyList<TextRegion> regions;
            try
            {
                regions = selection.Find(text, ranges);
            }
            catch (InvalidSessionRequestException ex)
            {
                throw BodyRules.Invalid($"{ApiText.Echo(path)}: {ex.Message}", $"files[{i}]");
            }
            if (regions.Count > 0) files.Add(new JobFile(path, text, regions));
        }
        return new CreateJobRequest(files, uploaded.Count, concurrency ?? DefaultConcurrency, decoding, maxTextChars, selection.Description);
    }

    /// <summary>A path git can apply a patch to: relative, '/'-separated, no "." or ".." segments, no control characters.</summary>
    private static void CheckPath(string path, int index)
    {
        var bad = path.Length is 0 or > 1024 || path.StartsWith('/') || path.Contains('\\') || path.Any(char.IsControl)
            || path.Split('/').Any(s => s is "" or "." or "..");
        if (bad) throw BodyRules.Invalid($"files[{index}].path '{ApiText.Echo(path)}' must be a relative path with '/' separators and no '.', '..' or empty segments.", $"files[{index}].path");
    }
}
