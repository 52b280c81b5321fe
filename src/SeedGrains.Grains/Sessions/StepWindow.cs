namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The tokens sent to the model for one step: document tokens [Offset, Offset + Tokens.Length). Offset −1: the window
/// leads with an end token that is not part of the document (a mask at the document's start).
/// </summary>
/// <param name="SegmentStarts">Document token index where each canvas segment starts (to map commits back).</param>
/// <param name="Masked">Masked positions inside the window.</param>
/// <param name="StepsTaken">Steps already spent on the region the window is built around (its first masked region):
/// what <see cref="RegionDecoding.MaxSteps"/> counts and <see cref="RegionDecoding.Seed"/> advances by.</param>
/// <param name="Decoding">That region's decoding: the step's policy and seed.</param>
/// <param name="CommitFrom">First window position the step may commit (its block, or the regions sharing the decoding).</param>
/// <param name="CommitTo">End (exclusive) of the window positions the step may commit.</param>
/// <param name="StepsLeft">Steps the step may assume it has for those positions, this one included (<see cref="RegionStepPlan"/>).</param>
/// <param name="CommitIds">The identity of the mask at each position in [CommitFrom, CommitTo) (0: no mask there): the
/// step's commits are written to these masks wherever edits made meanwhile have moved them (<see cref="MaskIdentity"/>).</param>
internal sealed record StepWindow(int Offset, int[] Tokens, int[] SegmentStarts, int Masked, int StepsTaken,
    RegionDecoding Decoding, int CommitFrom, int CommitTo, int StepsLeft, long[] CommitIds);
