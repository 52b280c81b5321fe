using SeedGrains.Abstractions.Errors;

namespace SeedGrains.Grains.Jobs;

/// <summary>
/// The selection as one string, as the CLI's <c>--select</c> and an archive upload's <c>select</c> take it:
/// <c>todo</c> (lines carrying <c># TODO(rewrite)</c>), <c>regex:PATTERN</c>, <c>python-body:NAME_PATTERN</c>.
/// </summary>
public static class JobSelectionSyntax
{
    public const string Help = "todo, regex:PATTERN or python-body:NAME_PATTERN";

    public static JobSelection Parse(string text)
    {
        if (text == "todo") return new RegexSelection(RegexSelection.TodoPattern, "todo");
        if (text.StartsWith("regex:", StringComparison.Ordinal) && text.Length > "regex:".Length) return new RegexSelection(text["regex:".Length..]);
        if (text.StartsWith("python-body:", StringComparison.Ordinal) && text.Length > "python-body:".Length)
            return new PythonBodySelection(text["python-body:".Length..]);
        throw new InvalidSessionRequestException($"The selection must be {Help}, not '{(text.Length > 80 ? text[..80] + "…" : text)}'.");
    }
}
