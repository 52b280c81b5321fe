using System.Diagnostics;
using SeedGrains.Diffusion.Decoding;

namespace SeedGrains.Cli.Commands.BenchService;

/// <summary>
/// One stepper call: when it started and ended (seconds on the benchmark's clock), how many rows it had, and each
/// tenant's rows and committed tokens in it (from each row's cache key, the session key `tenant/session`).
/// </summary>
internal readonly record struct StepSpan(double Start, double End, int Rows, IReadOnlyDictionary<string, TenantShare> ByTenant);

/// <summary>One tenant's part of a stepper call.</summary>
internal readonly record struct TenantShare(int Rows, int Tokens);

/// <summary>
/// Pass-through <see cref="IDenoiseStepper"/> that records every call, so the benchmark can split the service's wall
/// time into "inside the forward" and "the compute thread had nothing to do" (timers, batching wait, grain calls, HTTP).
/// </summary>
internal sealed class TimedStepper(IDenoiseStepper inner, Stopwatch clock) : IDenoiseStepper
{
    readonly List<StepSpan> spans = [];
    readonly Lock gate = new();

    public SpecialTokenIds Specials => inner.Specials;
    public int MaxWindow => inner.MaxWindow;

    public void Forget(string cacheKey) => inner.Forget(cacheKey);

    public IReadOnlyList<DenoiseStepResult> Step(IReadOnlyList<DenoiseStepRequest> batch, CancellationToken cancellationToken = default)
    {
        var start = clock.Elapsed.TotalSeconds;
        var results = inner.Step(batch, cancellationToken);
        var span = new StepSpan(start, clock.Elapsed.TotalSeconds, batch.Count, ByTenant(batch, results));
        lock (gate) spans.Add(span);
        return results;
    }

    static Dictionary<string, TenantShare> ByTenant(IReadOnlyList<DenoiseStepRequest> batch, IReadOnlyList<DenoiseStepResult> results)
    {
        var shares = new Dictionary<string, TenantShare>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count && i < results.Count; i++)
        {
            var key = batch[i].CacheKey ?? "";
            var tenant = key.Contains('/', StringComparison.Ordinal) ? key[..key.IndexOf('/', StringComparison.Ordinal)] : key;
            var share = shares.GetValueOrDefault(tenant);
            shares[tenant] = new TenantShare(share.Rows + 1, share.Tokens + results[i].Commits.Count);
        }
        return shares;
    }

    /// <summary>The calls that started in [from, to).</summary>
    public IReadOnlyList<StepSpan> Between(double from, double to)
    {
        lock (gate) return spans.Where(s => s.Start >= from && s.Start < to).ToList();
    }
}
