using System.Collections.Concurrent;
using SeedGrains.Diffusion.Decoding;

namespace SeedGrains.Tests.Fakes;

/// <summary>
/// Deterministic stand-in for the model: per row it commits the <see cref="CommitsPerRow"/> leftmost masked positions
/// ("most confident" = leftmost) with <see cref="TokenFor"/> (default: letter 'a' + position % 26). Records every batch,
/// can be held closed (<see cref="Gate"/>) or slowed (<see cref="Delay"/>), notes which thread ran it, and tells tests
/// when a call has started (<see cref="WhenCalls"/>) or returned (<see cref="WhenReturned"/>) — signals to wait on
/// instead of sleeping.
/// </summary>
public sealed class FakeStepper(int maxWindow = 512) : IDenoiseStepper
{
    private readonly CallSignals _started = new();
    private readonly CallSignals _returned = new();
    private int _parked;

    public SpecialTokenIds Specials { get; } = new(CharTokenizer.Mask, CharTokenizer.Pad, CharTokenizer.End);

    public int MaxWindow { get; } = maxWindow;

    public int CommitsPerRow { get; set; } = 1;

    /// <summary>Token committed at window position p of row w.</summary>
    public Func<int[], int, int> TokenFor { get; set; } = (_, p) => CharTokenizer.IdOf((char)('a' + p % 26));

    /// <summary>Steps wait here while it is reset (tests open it again; 30 s cap so a bug cannot hang the run).</summary>
    public ManualResetEventSlim Gate { get; } = new(true);

    public TimeSpan Delay { get; set; }

    /// <summary>
    /// Runs on the calling (compute) thread before each call waits at the <see cref="Gate"/>, with the batch: lets a
    /// test hold the worker until the queue is in a state it chose (e.g. every other session's row is queued).
    /// </summary>
    public Action<IReadOnlyList<DenoiseStepRequest>>? BeforeStep { get; set; }

    /// <summary>Replaces the per-row behaviour (e.g. to break the stepper contract on purpose).</summary>
    public Func<DenoiseStepRequest, DenoiseStepResult>? Override { get; set; }

    public int Calls => _started.Count;

    /// <summary>Calls waiting at the closed gate right now.</summary>
    public int Parked => Volatile.Read(ref _parked);

    /// <summary>Calls that have returned (or thrown).</summary>
    public int Returned => _returned.Count;

    /// <summary>Completes once <paramref name="count"/> calls have started (recorded their batch; maybe now held at the gate).</summary>
    public Task WhenCalls(int count) => _started.WhenReached(count);

    /// <summary>Completes once <paramref name="count"/> calls have returned (or thrown).</summary>
    public Task WhenReturned(int count) => _returned.WhenReached(count);

    /// <summary>Cache keys the worker told the stepper to forget (rows that finished their masks), in order.</summary>
    public ConcurrentQueue<string> Forgotten { get; } = new();

    public void Forget(string cacheKey) => Forgotten.Enqueue(cacheKey);

    /// <summary>Every batch in order, each row a copy of its window.</summary>
    public ConcurrentQueue<int[][]> Batches { get; } = new();

    public ConcurrentDictionary<string, int> Threads { get; } = new();

    /// <summary>Rows whose step has started waiting at the gate or running.</summary>
    public int RowsSeen => Batches.Sum(b => b.Length);

    public IReadOnlyList<DenoiseStepResult> Step(IReadOnlyList<DenoiseStepRequest> batch, CancellationToken cancellationToken = default)
    {
        Threads.AddOrUpdate(Thread.CurrentThread.Name ?? "(unnamed)", 1, (_, n) => n + 1);
        Batches.Enqueue(batch.Select(r => (int[])r.Tokens.Clone()).ToArray());
        _started.Increment();
        try
        {
            BeforeStep?.Invoke(batch);
            return Run(batch, cancellationToken);
        }
        finally
        {
            _returned.Increment();
        }
    }

    private List<DenoiseStepResult> Run(IReadOnlyList<DenoiseStepRequest> batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _parked);
        try
        {
            if (!Gate.Wait(TimeSpan.FromSeconds(120), cancellationToken))
                throw new TimeoutException("FakeStepper gate stayed closed for 30 s.");
        }
        finally
        {
            Interlocked.Decrement(ref _parked);
        }
        // Simulated compute cost (keeps generation running in the cluster tests), never a synchronisation point.
        if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
        return batch.Select(row =>
        {
            if (Override is not null) return Override(row);
            var commits = Enumerable.Range(0, row.Tokens.Length)
                .Where(p => row.Tokens[p] == Specials.Mask)
                .Take(CommitsPerRow)
                .Select(p => new TokenCommit(p, TokenFor(row.Tokens, p), 1f - p / (float)(row.Tokens.Length + 1)))
                .ToList();
            return new DenoiseStepResult(commits);
        }).ToList();
    }
}
