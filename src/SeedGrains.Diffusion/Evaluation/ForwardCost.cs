using System.Diagnostics;
using SeedGrains.Diffusion.Model;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Evaluation;

/// <summary>
/// What one decoder step costs by its width: a forward of W new positions against a cached context of C positions,
/// plus the LM head over those W positions — the unit both decoders repeat (the AR model's step is W = 1; a diffusion
/// block step is the block plus its anchor). Also the full forward of the context alone, the first forward both pay.
/// Token ids are random (cost does not depend on them); attention is the model's own (bidirectional or causal).
/// </summary>
public static class ForwardCost
{
    /// <param name="Width">New positions per forward.</param>
    /// <param name="MedianMs">Median over the repeats of forward + LM head, in milliseconds.</param>
    public sealed record Step(int Width, double MedianMs);

    /// <param name="ContextMs">Median full forward of the context alone (no cache).</param>
    public sealed record Result(int Context, double ContextMs, IReadOnlyList<Step> Steps);

    public static Result Measure(Qwen2Model model, int context, IReadOnlyList<int> widths, int repeats, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (context < 1) throw new ArgumentException($"the context must be at least 1 position, not {context}", nameof(context));
        if (repeats < 1) throw new ArgumentException($"repeats must be at least 1, not {repeats}", nameof(repeats));
        if (widths.Count == 0 || widths.Any(w => w < 1)) throw new ArgumentException("every width must be at least 1", nameof(widths));
        if (context + widths.Max() > model.Config.MaxPositions)
            throw new ArgumentException($"context {context} + width {widths.Max()} is more than the model's {model.Config.MaxPositions} positions", nameof(widths));

        var rng = new Random(seed);
        var mode = model.Config.Attention;
        var device = model.Device;
        Tensor Ids(int n) => tensor(Enumerable.Range(0, n).Select(_ => (long)rng.Next(model.Config.VocabSize)).ToArray(), [1, n], dtype: int64, device: device);
        Tensor Positions(int from, int n) => arange(from, from + n, dtype: int64, device: device).unsqueeze(0);

        using var noGrad = no_grad();
        var contextIds = Ids(context);
        double contextMs = Median(repeats, () =>
        {
            using var scope = NewDisposeScope();
            return Timed(() => model.ForwardHidden(contextIds, mode));
        });

        using var cache = model.CreateCache();
        using (NewDisposeScope()) model.ForwardHidden(contextIds, mode, positionIds: Positions(0, context), cache: cache, appendToCache: true);
        var steps = new List<Step>();
        foreach (var width in widths)
        {
            var ids = Ids(width);
            steps.Add(new Step(width, Median(repeats, () =>
            {
                using var scope = NewDisposeScope();
                // The cache is not extended, so every repeat sees the same C cached positions.
                return Timed(() => model.LmHead(model.ForwardHidden(ids, mode, positionIds: Positions(context, width), cache: cache, appendToCache: false)));
            })));
        }
        return new Result(context, contextMs, steps);
    }

    /// <summary>Milliseconds of <paramref name="forward"/>, its result read back (on a GPU the call only queues work).</summary>
    static double Timed(Func<Tensor> forward)
    {
        var clock = Stopwatch.StartNew();
        using var sum = forward().sum().cpu();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>One untimed warm-up run, then the median of <paramref name="repeats"/> runs.</summary>
    static double Median(int repeats, Func<double> run)
    {
        run();
        var times = Enumerable.Range(0, repeats).Select(_ => run()).Order().ToArray();
        return times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
    }
}
