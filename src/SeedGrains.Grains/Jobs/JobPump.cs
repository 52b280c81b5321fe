namespace SeedGrains.Grains.Jobs;

/// <summary>
/// Which files of a job start next: at most <c>cap</c> in flight, taken in index order from the store's pending files
/// a page at a time (so memory holds one page and the files in flight, whatever the job's size), plus files put back
/// for a later try (a quota refusal, a lost call), which start again only on <see cref="Fill"/> with retries.
/// Single-threaded (the grain's scheduler); a fill that arrives while one is awaiting the store is folded into it.
/// </summary>
public sealed class JobPump(int cap, Func<int, int, Task<IReadOnlyList<int>>> pending, Action<int> start)
{
    public const int PageSize = 64;

    private readonly HashSet<int> _inFlight = [];
    private readonly Queue<int> _retry = new();
    private readonly Queue<int> _page = new();
    private int _cursor = -1;
    private bool _filling;
    private bool _again;

    public int InFlight => _inFlight.Count;

    public IReadOnlyCollection<int> Running => _inFlight;

    /// <summary>Files waiting for another try.</summary>
    public int Waiting => _retry.Count;

    /// <summary>Starts files until <c>cap</c> are in flight or none is left; with <paramref name="retries"/> put-back files first.</summary>
    public async Task Fill(bool retries = false)
    {
        if (_filling)
        {
            _again = true;
            return;
        }
        _filling = true;
        try
        {
            do
            {
                _again = false;
                while (_inFlight.Count < cap && await Next(retries) is { } next)
                {
                    _inFlight.Add(next);
                    start(next);
                }
            }
            while (_again);
        }
        finally
        {
            _filling = false;
        }
    }

    /// <summary>The file landed (or was given up): its slot is free.</summary>
    public void Finished(int index) => _inFlight.Remove(index);

    /// <summary>The file could not run now: free its slot and try it again on a later fill with retries.</summary>
    public void PutBack(int index)
    {
        if (_inFlight.Remove(index)) _retry.Enqueue(index);
    }

    /// <summary>Forgets everything in flight or waiting (a cancelled job).</summary>
    public void Clear()
    {
        _inFlight.Clear();
        _retry.Clear();
        _page.Clear();
    }

    private async Task<int?> Next(bool retries)
    {
        if (retries && _retry.TryDequeue(out var again)) return again;
        if (_page.Count == 0)
        {
            var page = await pending(_cursor, PageSize);
            if (page.Count == 0) return null;
            _cursor = page[^1];
            foreach (var index in page.Where(i => !_inFlight.Contains(i) && !_retry.Contains(i))) _page.Enqueue(index);
        }
        return _page.TryDequeue(out var next) ? next : await Next(retries);
    }
}
