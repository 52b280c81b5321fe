using SeedGrains.Diffusion.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Decoding;

/// <summary>
/// The batched whole-canvas denoising step: rows of different lengths are right-padded and key-masked, one
/// bidirectional forward runs over all of them, only masked positions go through the LM head, and each row's
/// commits are chosen by its own policy and seed — so a row's result does not depend on its batch-mates.
/// Not thread-safe: the service calls it from one compute thread per device.
/// </summary>
public sealed class DenoiseStepper(Qwen2Model model, SpecialTokenIds specials, Device device, int maxWindow) : IDenoiseStepper
{
    public SpecialTokenIds Specials => specials;
    public int MaxWindow => maxWindow;

    /// <summary>Forward passes run so far (batching is measured by it).</summary>
    public long Forwards { get; private set; }

    public IReadOnlyList<DenoiseStepResult> Step(IReadOnlyList<DenoiseStepRequest> batch, CancellationToken cancellationToken = default)
    {
        if (batch.Count == 0) return [];
        foreach (var r in batch)
            if (r.Tokens.Length == 0 || r.Tokens.Length > maxWindow)
                throw new ArgumentException($"a row has {r.Tokens.Length} tokens; rows must have 1..{maxWindow}");
        cancellationToken.ThrowIfCancellationRequested();

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int rows = batch.Count, width = batch.Max(r => r.Tokens.Length);
        var ids = new long[rows * width];
        var keep = new bool[rows * width];
        var masked = new List<int>[rows];
        var gather = new List<long>();
        for (int r = 0; r < rows; r++)
        {
            var tokens = batch[r].Tokens;
            var request = batch[r];
            masked[r] = [];
            for (int i = 0; i < width; i++)
            {
                ids[r * width + i] = i < tokens.Length ? tokens[i] : specials.Pad;
                keep[r * width + i] = i < tokens.Length;
                if (i < tokens.Length && tokens[i] == specials.Mask && request.MayCommit(i))
                {
                    masked[r].Add(i);
                    gather.Add(r * width + model.Config.PredictorOf(i)); // shifted models read position i-1
                }
            }
        }
        if (gather.Count == 0) return batch.Select(_ => new DenoiseStepResult([])).ToArray();

        var input = tensor(ids, [rows, width], dtype: int64, device: device);
        Tensor? keyMask = keep.All(k => k) ? null : tensor(keep, [rows, width], device: device);
        var hidden = model.ForwardHidden(input, AttentionMode.Bidirectional, keyMask).reshape(rows * width, -1);
        var logits = model.LmHead(hidden.index_select(0, tensor(gather.ToArray(), dtype: int64, device: device)));
        Forwards++;

        var results = new DenoiseStepResult[rows];
        int offset = 0;
        for (int r = 0; r < rows; r++)
        {
            int n = masked[r].Count;
            if (n == 0) { results[r] = new DenoiseStepResult([]); continue; }
            var request = batch[r];
            var candidates = TokenScorer.Score(logits.narrow(0, offset, n), masked[r], specials.Mask, request.Policy, request.Seed);
            offset += n;
            var chosen = CommitSelector.Select(candidates, request.Policy, request.StepsLeft);
            results[r] = new DenoiseStepResult(chosen.Select(c => new TokenCommit(c.Position, c.Token, c.Confidence)).ToArray());
        }
        return results;
    }
}
