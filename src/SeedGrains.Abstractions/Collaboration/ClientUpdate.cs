namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// What a client does after an event: apply <see cref="LocalChanges"/> to its editor in order (they turn the old local
/// text into <see cref="ClientDocument.Text"/>), send <see cref="ToSend"/> if any, and tell the user that
/// <see cref="RolledBack"/> edits were undone (they overlapped another person's change).
/// </summary>
public sealed record ClientUpdate(IReadOnlyList<IReadOnlyList<ReplacedRange>> LocalChanges, PersonEdit? ToSend, IReadOnlyList<string> RolledBack)
{
    public static ClientUpdate Nothing { get; } = new([], null, []);
}
