using System.Text.RegularExpressions;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Jobs;

/// <summary>
/// Every match of a regular expression (multi-line: <c>^</c> and <c>$</c> match at each line). A pattern that takes
/// too long on a file (catastrophic backtracking) fails the submission rather than a thread.
/// </summary>
public sealed class RegexSelection : JobSelection
{
    /// <summary>The lines carrying <c># TODO(rewrite)</c>, without their line break.</summary>
    public const string TodoPattern = @"^[^\r\n]*#\s*TODO\(rewrite\)[^\r\n]*";

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);
    private readonly Regex _regex;
    private readonly string _description;

    public RegexSelection(string pattern, string? description = null)
    {
        try
        {
            _regex = new Regex(pattern, RegexOptions.Multiline | RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidSessionRequestException($"The selection's pattern is not a valid regular expression: {ex.Message}");
        }
        _description = description ?? "regex:" + pattern;
    }

    public override string Description => _description;

    public override IReadOnlyList<TextRegion> Find(string text, IReadOnlyList<TextRegion>? ranges)
    {
        try
        {
            return Normalize(_regex.Matches(text).Select(m => (m.Index, m.Index + m.Length)));
        }
        catch (RegexMatchTimeoutException)
        {
            throw new InvalidSessionRequestException($"The selection's pattern took longer than {MatchTimeout.TotalSeconds:0} s on one file; simplify it.");
        }
    }
}
