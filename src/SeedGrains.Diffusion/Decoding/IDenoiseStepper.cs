namespace SeedGrains.Diffusion.Decoding;

/// <summary>
/// One denoising step for a batch of independent rows — the building block the service's model worker
/// calls once per batch. Each row is a token window; positions holding <see cref="SpecialTokenIds.Mask"/>
/// are still to be filled. The stepper never changes an unmasked position.
/// </summary>
public interface IDenoiseStepper
{
    /// <summary>Ids of mask, pad and end tokens of the loaded model's vocabulary.</summary>
    SpecialTokenIds Specials { get; }

    /// <summary>Longest window (tokens) a row may have.</summary>
    int MaxWindow { get; }

    /// <summary>Runs one batched forward and returns, per request and in order, the positions it commits.</summary>
    IReadOnlyList<DenoiseStepResult> Step(IReadOnlyList<DenoiseStepRequest> batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops whatever the stepper keeps for the row named <paramref name="cacheKey"/> (it will not come back with this
    /// window: its masks are filled). Steppers that keep nothing need not implement it; wrappers must forward it.
    /// </summary>
    void Forget(string cacheKey) { }
}

/// <summary>One row: the window, how to choose commits, and the randomness for sampling.</summary>
/// <param name="Tokens">Token ids of the window; the mask id marks positions to fill.</param>
/// <param name="Policy">How many / which masked positions to commit this step.</param>
/// <param name="Seed">Seed for sampling; the same request and seed give the same commits.</param>
/// <param name="StepsLeft">Steps the caller still allows for this row, this one included (top-k spreads the masks over them; 1 = commit everything now).</param>
/// <param name="CacheKey">Names a row that comes back step after step (a session), so a caching stepper may keep its
/// context (<see cref="DualCacheStepper"/>); null: nothing is kept.</param>
/// <param name="CommitFrom">First window position this step may commit (with <paramref name="CommitTo"/>: a semi-AR block,
/// or one region of several in the window). Masks outside [CommitFrom, CommitTo) stay masked and are read as masks, as
/// <see cref="InfillDecoder"/> reads the blocks after the current one.</param>
/// <param name="CommitTo">End (exclusive) of the positions this step may commit.</param>
public sealed record DenoiseStepRequest(int[] Tokens, CommitPolicy Policy, ulong Seed = 0, int StepsLeft = int.MaxValue, string? CacheKey = null,
    int CommitFrom = 0, int CommitTo = int.MaxValue)
{
    /// <summary>Whether window position <paramref name="i"/> is one this step may commit (if it is masked).</summary>
    public bool MayCommit(int i) => i >= CommitFrom && i < CommitTo;
}

/// <summary>Commits for one row (positions index into the request's window).</summary>
public sealed record DenoiseStepResult(IReadOnlyList<TokenCommit> Commits);

/// <summary>A position filled with a token, and the model's probability for it.</summary>
public readonly record struct TokenCommit(int Position, int Token, float Confidence);

/// <summary>Special token ids the samplers and the session grain need.</summary>
public sealed record SpecialTokenIds(int Mask, int Pad, int End);
