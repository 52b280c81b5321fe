namespace SeedGrains.Diffusion.Training;

/// <summary>
/// What <see cref="Trainer.Run"/> reports after every step, for a live display (the log lines come only every
/// <see cref="TrainingOptions.LogEvery"/> steps).
/// </summary>
/// <param name="Step">Steps completed in the run so far (a resumed run counts its earlier steps too).</param>
/// <param name="StopAt">The step this call to Run stops at: the schedule's end or the requested stop, whichever is first.</param>
/// <param name="Loss">This step's training loss.</param>
/// <param name="TokensPerSecond">Training tokens per second since this call to Run began.</param>
/// <param name="EtaSeconds">Estimated seconds to the end of the schedule (capped by the time budget, if any).</param>
public readonly record struct TrainingProgress(int Step, int StopAt, double Loss, double TokensPerSecond, double EtaSeconds);
