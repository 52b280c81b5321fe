using SeedGrains.Diffusion.Training;

namespace SeedGrains.Diffusion.Tests.Training;

/// <summary>A 64-token vocabulary for objective tests: ids 0–5 special, 10 ends a line.</summary>
internal static class ToyVocabulary
{
    public const int Newline = 10;

    public static TrainingVocabulary Create()
    {
        var endsLine = new bool[64];
        endsLine[Newline] = true;
        return new TrainingVocabulary(64, Mask: 1, Pad: 2, End: 0, FimPrefix: 3, FimSuffix: 4, FimMiddle: 5, EndsLine: endsLine);
    }

    /// <summary>Ordinary tokens (6..63) with a newline every few tokens.</summary>
    public static int[] Chunk(int length, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, length).Select(i => i % 7 == 6 ? Newline : 11 + rng.Next(53)).ToArray();
    }
}
