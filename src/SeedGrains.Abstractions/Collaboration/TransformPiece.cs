namespace SeedGrains.Abstractions.Collaboration;

/// <summary>
/// One piece of the merged result, left to right: it stands for <see cref="ChangedLength"/> code units of C(T),
/// <see cref="EditedLength"/> of E(T) and <see cref="Final"/> in the final text. A piece outside E' has the same text
/// in C(T) as in the final text; a piece outside C' the same in E(T). <see cref="Final"/> is null only for text of T
/// that neither touched (its content is never needed).
/// </summary>
internal readonly record struct TransformPiece(int ChangedLength, int EditedLength, string? Final, bool InEdit, bool InChange)
{
    public static TransformPiece Keep(int length) => new(length, length, null, false, false);

    public bool IsEmpty => ChangedLength == 0 && EditedLength == 0 && Final is { Length: 0 };
}
