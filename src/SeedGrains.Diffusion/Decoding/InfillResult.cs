namespace SeedGrains.Diffusion.Decoding;

/// <summary>Tokens generated for a region (pad/end removed), and what it cost.</summary>
public sealed record InfillResult(int[] Tokens, int Steps, int Forwards);
