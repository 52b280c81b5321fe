using TorchSharp;
using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Runtime;
using SeedGrains.Diffusion.Training;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Evaluation;

/// <summary>
/// `eval --task loss`: per-token loss on held-out files, on the same windows for both kinds of model — the
/// masked-diffusion bound (Σ over masked of CE / t, one t per window, seeded) for a diffusion model, next-token
/// negative log-likelihood for the AR baseline. Lower is better; the two are comparable as bounds on nats/token.
/// </summary>
public static class ValidationLoss
{
    public const int WindowLength = 512;
    const int MaxWindows = 64;

    public sealed record Result(int Files, int Windows, long Tokens, double LossPerToken);

    /// <param name="onWindow">Called with (windows done, windows in all) after each window, for progress displays.</param>
    public static Result Measure(ModelBundle bundle, string dataDirectory, int maxFiles, int seed, Action<int, int>? onWindow = null)
    {
        var sample = LinesTask.Build(dataDirectory, maxFiles, seed, spansPerFile: 1);
        // Whole files again (prefix + middle + suffix), joined by the end token.
        var stream = new List<int>();
        foreach (var c in sample.Cases)
        {
            stream.AddRange(bundle.Tokenizer.EncodeVerbatim(c.Prefix + c.Middle + c.Suffix).Ids);
            stream.Add(bundle.Vocabulary.End);
        }
        int windowTokens = WindowLength + 1;
        int windows = Math.Min(MaxWindows, stream.Count / windowTokens);
        if (windows == 0) throw new InvalidDataException($"{dataDirectory}: fewer than {windowTokens} tokens in the sampled files");
        var rng = new Random(seed);
        var diffusion = new DiffusionObjective(bundle.Vocabulary, WindowLength, bundle.Model.Config.Shifted);
        double total = 0;
        using var noGrad = no_grad();
        for (int w = 0; w < windows; w++)
        {
            var chunk = stream.GetRange(w * windowTokens, windowTokens).ToArray();
            var row = bundle.IsAutoregressive
                ? new TrainingRow(chunk[..WindowLength], chunk[1..], Enumerable.Repeat(1f / WindowLength, WindowLength).ToArray())
                : diffusion.BuildPlain(chunk.AsSpan(0, WindowLength), rng);
            total += RowLoss(bundle, row);
            onWindow?.Invoke(w + 1, windows);
        }
        return new Result(sample.FilesUsed, windows, (long)windows * WindowLength, total / windows);
    }

    static double RowLoss(ModelBundle bundle, TrainingRow row)
    {
        using var scope = NewDisposeScope();
        var device = bundle.Device;
        var input = tensor(row.Input.Select(x => (long)x).ToArray(), [1, row.Input.Length], dtype: int64, device: device);
        var mode = bundle.IsAutoregressive ? AttentionMode.Causal : AttentionMode.Bidirectional;
        var logits = bundle.Model.Forward(input, mode).squeeze(0).to_type(ScalarType.Float32);
        // A shifted model predicts position i from i-1; the objective leaves position 0 without loss.
        if (!bundle.IsAutoregressive && bundle.Model.Config.Shifted) logits = logits.roll(1, 0);
        if (!bundle.IsAutoregressive)
        {
            using var minusInfinity = float.NegativeInfinity.ToScalar(); // explicit Scalar: see AttentionPlan
            logits = logits.index_fill(1, tensor(new long[] { bundle.Vocabulary.Mask }, device: device), minusInfinity);
        }
        var ce = nn.functional.cross_entropy(logits, tensor(row.Target.Select(x => (long)x).ToArray(), dtype: int64, device: device), reduction: nn.Reduction.None);
        var weight = tensor(row.Weight, dtype: ScalarType.Float32, device: device);
        return (ce.nan_to_num(0, 0, 0) * weight).sum().item<float>();
    }
}
