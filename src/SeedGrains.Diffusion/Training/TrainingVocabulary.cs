namespace SeedGrains.Diffusion.Training;

/// <summary>The token ids the training objectives need, plus which ids end a line (for line-aligned spans).</summary>
public sealed record TrainingVocabulary(
    int VocabSize, int Mask, int Pad, int End, int FimPrefix, int FimSuffix, int FimMiddle, bool[] EndsLine)
{
    public bool IsSpecial(int id) => id == Mask || id == Pad || id == End || id == FimPrefix || id == FimSuffix || id == FimMiddle;
}
