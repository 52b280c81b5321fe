using System.Text.RegularExpressions;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Jobs;

/// <summary>
/// The bodies of the Python functions (and methods) whose name matches a pattern (<see cref="PythonFunctionBodies"/>).
/// A nested function whose outer function is selected too is part of the outer body.
/// </summary>
public sealed class PythonBodySelection : JobSelection
{
    private readonly Regex _name;

    public PythonBodySelection(string namePattern)
    {
        try
        {
            _name = new Regex(namePattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw new InvalidSessionRequestException($"The selection's name pattern is not a valid regular expression: {ex.Message}");
        }
        Description = "python-body:" + namePattern;
    }

    public override string Description { get; }

    public override IReadOnlyList<TextRegion> Find(string text, IReadOnlyList<TextRegion>? ranges) =>
        Normalize(PythonFunctionBodies.Find(text).Where(f => _name.IsMatch(f.Name)).Select(f => (f.BodyStart, f.BodyEnd)));
}
