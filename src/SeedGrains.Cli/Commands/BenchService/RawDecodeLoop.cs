using System.Diagnostics;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Tokenization;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Cli.Commands.BenchService;

/// <summary>What one request produced on either path.</summary>
/// <param name="LatencyMs">From the start of the run (raw) or the create call (service) until the region is done.</param>
/// <param name="Tokens">Generated tokens committed (= the region's mask budget: every mask is committed once).</param>
/// <param name="Steps">Denoising steps the request took.</param>
/// <param name="Generated">The region's final text (pad/end tokens dropped).</param>
internal sealed record RequestOutcome(double LatencyMs, int Tokens, int Steps, string Generated);

/// <summary>A whole run of N requests on one path.</summary>
internal sealed record PathRun(IReadOnlyList<RequestOutcome> Requests, double Seconds)
{
    public long Tokens => Requests.Sum(r => (long)r.Tokens);
}

/// <summary>
/// The baseline: the same windows stepped by <see cref="IDenoiseStepper"/> directly, all unfinished rows in one batch per
/// step until every row is done — no grains, no HTTP, no timers. Tokenization happens before the clock starts.
/// </summary>
internal static class RawDecodeLoop
{
    /// <param name="sessions">The session's rules: <c>PadEndsRegion</c> (a committed pad/end fills the rest of the region
    /// with pads) and the steps a row still allows (<c>StepBudget</c>).</param>
    /// <param name="requestDone">Called as each row's region is filled (for a progress display).</param>
    public static PathRun Run(IDenoiseStepper stepper, ICodeTokenizer tokenizer, IReadOnlyList<SessionWindow> windows, CommitPolicy policy, int seed, SessionOptions sessions,
        Action? requestDone = null)
    {
        // New cache keys every run, as the service's new sessions have: no context carries over from an earlier round.
        if (sessions.BlockSize > 0)
            throw new ArgumentException($"Sessions:BlockSize is {sessions.BlockSize}; the raw loop decodes whole regions, so the two paths would differ (use 0)");
        var run = Guid.NewGuid().ToString("N");
        var specials = stepper.Specials;
        var rows = windows.Select(w => (int[])w.Tokens.Clone()).ToArray();
        var masked = windows.Select(w => w.Budget).ToArray();
        var steps = new int[rows.Length];
        var done = new double[rows.Length];
        var active = Enumerable.Range(0, rows.Length).ToList();
        var clock = Stopwatch.StartNew();
        for (var step = 0; active.Count > 0; step++)
        {
            var batch = active.Select(r => new DenoiseStepRequest(rows[r], policy, (ulong)(seed * 7919 + r) ^ (ulong)step, StepsLeft(sessions, masked[r], steps[r]), CacheKey: $"raw/{run}/{r}")).ToList();
            var results = stepper.Step(batch);
            for (var i = 0; i < active.Count; i++)
            {
                var r = active[i];
                if (results[i].Commits.Count == 0)
                    throw new InvalidOperationException($"the stepper committed nothing for row {r} with {masked[r]} masks left");
                foreach (var commit in results[i].Commits)
                {
                    if (rows[r][commit.Position] != specials.Mask)
                        throw new InvalidOperationException($"the stepper committed unmasked position {commit.Position} of row {r}");
                    rows[r][commit.Position] = commit.Token;
                    masked[r]--;
                }
                if (sessions.PadEndsRegion) masked[r] -= RegionEnd.FillAfterFirstEnd(rows[r].AsSpan(windows[r].RegionOffset, windows[r].Budget), specials).Count;
                steps[r]++;
                if (masked[r] == 0)
                {
                    done[r] = clock.Elapsed.TotalMilliseconds;
                    requestDone?.Invoke();
                }
            }
            active.RemoveAll(r => masked[r] == 0);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var outcomes = windows.Select((w, r) => new RequestOutcome(done[r], w.Budget, steps[r],
            tokenizer.Decode(rows[r].Skip(w.RegionOffset).Take(w.Budget).Where(t => t != specials.Pad && t != specials.End)))).ToList();
        return new PathRun(outcomes, seconds);
    }

    /// <summary>A session region's steps left without blocks (the grain's RegionStepPlan): the budget counts down, none = a step per mask.</summary>
    static int StepsLeft(SessionOptions sessions, int masked, int stepsTaken) =>
        sessions.StepBudget > 0 ? Math.Max(1, sessions.StepBudget - stepsTaken) : Math.Max(1, masked);
}
