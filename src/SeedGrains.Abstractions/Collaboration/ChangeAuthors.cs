namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// Who made a change: a person's <c>clientId</c>, <see cref="Model"/> for the model's commits, or null for a person
/// who sent no clientId (anonymous: never the same party as anyone, not even another anonymous edit).
/// </summary>
public static class ChangeAuthors
{
    /// <summary>The model's author name; reserved, so no client may use it as its clientId.</summary>
    public const string Model = "model";

    public static bool IsModel(string? author) => author == Model;

    /// <summary>True when both changes come from the same named client (anonymous authors are never the same).</summary>
    public static bool SameClient(string? a, string? b) => a is not null && a == b;

    /// <summary>How an edit by <paramref name="editClientId"/> meets a concurrent change by <paramref name="changeAuthor"/>.</summary>
    public static ChangeRelation RelationOf(string? editClientId, string? changeAuthor) =>
        IsModel(changeAuthor) || SameClient(editClientId, changeAuthor) ? ChangeRelation.Merge : ChangeRelation.OtherPerson;
}
