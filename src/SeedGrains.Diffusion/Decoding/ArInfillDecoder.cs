using SeedGrains.Diffusion.Model;
using SeedGrains.Diffusion.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Decoding;

/// <summary>
/// The AR baseline: greedy fill-in-the-middle with a KV cache. The prompt
/// <c>&lt;fim_prefix&gt; P &lt;fim_suffix&gt; S &lt;fim_middle&gt;</c> is encoded once; each new token is one
/// single-position forward against the cache (no prefix recomputation), until the end token or the cap.
/// </summary>
public sealed class ArInfillDecoder(Qwen2Model model, TrainingVocabulary vocab, Device device)
{
    readonly AutoregressiveObjective fim = new(vocab, 1);

    public InfillResult Decode(int[] prefix, int[] suffix, int maxNewTokens)
    {
        var prompt = fim.Arrange(prefix, suffix, [], withMiddle: false);
        var generated = new List<int>();
        using var noGrad = no_grad();
        using var cache = new KvCache(model.Config.NumLayers);
        int forwards = 0;
        var next = Forward(prompt, 0, cache);
        forwards++;
        while (generated.Count < maxNewTokens && next != vocab.End && next != vocab.Pad)
        {
            generated.Add(next);
            if (generated.Count == maxNewTokens) break;
            next = Forward([next], prompt.Length + generated.Count - 1, cache);
            forwards++;
        }
        return new InfillResult(generated.ToArray(), forwards, forwards);
    }

    /// <summary>Runs <paramref name="tokens"/> at positions start.. against the cache (appending) and returns the greedy next token.</summary>
    int Forward(int[] tokens, int start, KvCache cache)
    {
        using var scope = NewDisposeScope();
        var ids = tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Length], dtype: int64, device: device);
        var positions = arange(start, start + tokens.Length, dtype: int64, device: device).unsqueeze(0);
        var hidden = model.ForwardHidden(ids, AttentionMode.Causal, positionIds: positions, cache: cache, appendToCache: true);
        var logits = model.LmHead(hidden.narrow(1, tokens.Length - 1, 1).squeeze(1));
        return (int)logits.argmax(-1).item<long>();
    }
}
