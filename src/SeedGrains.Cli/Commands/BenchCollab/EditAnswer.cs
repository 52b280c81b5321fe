namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>
/// The HTTP answer to one POST …/edits: its status and problem title, for a 409 "Edit conflict" the version whose
/// change the server found overlapping and the session's version then, and how long the answer took.
/// </summary>
internal sealed record EditAnswer(int Status, string? Title, long? ConflictingVersion, long? CurrentVersion, double Milliseconds)
{
    public const string ConflictTitle = "Edit conflict";

    public bool Accepted => Status == 200;

    public bool IsConflict => Status == 409 && Title == ConflictTitle;
}
