namespace SeedGrains.Abstractions.Errors;

/// <summary>
/// 409: the edit overlaps what another person changed since its base version. [<see cref="Start"/>, <see cref="End"/>)
/// is where that person's new text stands in the text of <see cref="CurrentVersion"/>.
/// </summary>
[GenerateSerializer]
public sealed class EditConflictException : Exception
{
    public EditConflictException() { }

    public EditConflictException(string message) : base(message) { }

    public EditConflictException(string message, Exception innerException) : base(message, innerException) { }

    public EditConflictException(string message, int start, int end, long currentVersion, long conflictingVersion, string? conflictingAuthor) : base(message) =>
        (Start, End, CurrentVersion, ConflictingVersion, ConflictingAuthor) = (start, end, currentVersion, conflictingVersion, conflictingAuthor);

    [Id(0)] public int Start { get; set; }

    [Id(1)] public int End { get; set; }

    /// <summary>The session's version when the edit arrived.</summary>
    [Id(2)] public long CurrentVersion { get; set; }

    /// <summary>The version the other person's change produced.</summary>
    [Id(3)] public long ConflictingVersion { get; set; }

    /// <summary>The other person's clientId (null: anonymous).</summary>
    [Id(4)] public string? ConflictingAuthor { get; set; }
}
