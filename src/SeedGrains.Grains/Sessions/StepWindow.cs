namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The tokens sent to the model for one step: document tokens [Offset, Offset + Tokens.Length). Offset −1: the window
/// leads with an end token that is not part of the document (a mask at the document's start).
/// </summary>
/// <param name="SegmentStarts">Document token index where each canvas segment starts (to map commits back).</param>
/// <param name="Masked">Masked positions inside the window.</param>
/// <param name="StepsTaken">Steps already spent on the region the window is built around (its first masked region):
/// what <see cref="SessionOptions.StepBudget"/> counts.</param>
internal sealed record StepWindow(int Offset, int[] Tokens, int[] SegmentStarts, int Masked, int StepsTaken);
