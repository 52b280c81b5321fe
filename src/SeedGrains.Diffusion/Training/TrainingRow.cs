namespace SeedGrains.Diffusion.Training;

/// <summary>
/// One training sequence: what the network reads, what it should predict at each position, and how much each
/// position's cross-entropy counts (already divided by the row's normaliser, so the batch loss is Σ w·CE / rows).
/// </summary>
public sealed record TrainingRow(int[] Input, int[] Target, float[] Weight);
