namespace SeedGrains.Grains.Tests.Collaboration;

/// <summary>
/// The simulation's characters: every original character and every inserted marker is unique, so the final text
/// shows exactly which survived; the model writes lower-case letters and '#' placeholders.
/// </summary>
internal static class Alphabet
{
    private const char FirstOriginal = '\u0400';
    private const char FirstMarker = '\u4E00';

    public static char Original(int index) => (char)(FirstOriginal + index);

    public static char Marker(int index) => (char)(FirstMarker + index);

    public static bool IsOriginal(char c) => c >= FirstOriginal && c < FirstOriginal + 0x100;

    public static bool IsMarker(char c) => c >= FirstMarker && c < FirstMarker + 0x4000;
}
