namespace SeedGrains.Abstractions.Collaboration;

/// <summary>How a person's edit meets a concurrent change (see docs/api.md, "Collaborative editing: the transform").</summary>
public enum ChangeRelation
{
    /// <summary>The model's change, or the same client's: never a conflict; the edit's text wins over what it overlaps.</summary>
    Merge = 0,
    /// <summary>Another person's change: an overlap is a conflict.</summary>
    OtherPerson = 1,
}
