using SeedGrains.Abstractions.Errors;

namespace SeedGrains.Grains.Sessions;

/// <summary>The size limit a request sets for the session's text (its <c>MaxTextChars</c>).</summary>
internal static class TextLimit
{
    /// <exception cref="InvalidSessionRequestException">The text is longer than the limit; <paramref name="what"/> names it.</exception>
    public static void Check(int length, int maxTextChars, string what)
    {
        if (length > maxTextChars)
            throw new InvalidSessionRequestException($"The {what} has {length} characters; the limit is {maxTextChars}.");
    }
}
