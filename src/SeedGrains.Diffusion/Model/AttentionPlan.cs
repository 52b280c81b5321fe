using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>
/// How every layer of one forward masks attention, decided once per forward: no mask (bidirectional), the fused
/// causal kernel (causal, no cache, no padding), or an additive mask [B|1, 1, Tq, Tk] of 0 / dtype-min.
/// A finite minimum instead of -inf keeps rows with no visible key (padding queries) finite rather than NaN.
/// </summary>
internal readonly record struct AttentionPlan(Tensor? AdditiveMask, bool IsCausal)
{
    /// <param name="keyMask">[B, Tk] bool over cached + new positions (true = real), or null when all are real.</param>
    /// <param name="queryLength">New positions Tq.</param>
    /// <param name="pastLength">Cached positions S (Tk = S + Tq); new query i sits at key index S + i.</param>
    public static AttentionPlan Build(AttentionMode mode, Tensor? keyMask, long queryLength, long pastLength, ScalarType dtype, Device device)
    {
        if (keyMask is null && mode == AttentionMode.Bidirectional)
        {
            return new AttentionPlan(null, false);
        }
        if (keyMask is null && pastLength == 0)
        {
            return new AttentionPlan(null, true);
        }
        if (keyMask is null && queryLength == 1)
        {
            // One new token after a cache sees every key in either mode: the common AR decode step needs no mask.
            return new AttentionPlan(null, false);
        }

        var keyLength = pastLength + queryLength;
        Tensor? allowed = keyMask?.reshape(keyMask.shape[0], 1, 1, keyLength);
        if (mode == AttentionMode.Causal)
        {
            var keyIndex = arange(keyLength, ScalarType.Int64, device).unsqueeze(0);                // [1, Tk]
            var queryIndex = arange(pastLength, keyLength, ScalarType.Int64, device).unsqueeze(1);  // [Tq, 1]
            var causal = keyIndex.le(queryIndex).reshape(1, 1, queryLength, keyLength);
            allowed = allowed is null ? causal : allowed.logical_and(causal);
        }
        return FromAllowed(allowed!, queryLength, keyLength, dtype);
    }

    /// <summary>From an explicit boolean [B|1, 1, Tq, Tk] "query may see key" tensor.</summary>
    public static AttentionPlan FromAllowed(Tensor allowed, long queryLength, long keyLength, ScalarType dtype)
    {
        var rows = allowed.shape[0];
        // An explicit Scalar, disposed after the call: an implicitly converted one is only a GC-finalizable object that
        // nothing keeps alive while native code reads it (seen as a corrupt scalar under load).
        using var fill = MinValue(dtype).ToScalar();
        var mask = zeros([rows, 1, queryLength, keyLength], dtype, allowed.device).masked_fill(allowed.logical_not(), fill);
        return new AttentionPlan(mask, false);
    }

    private static double MinValue(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => float.MinValue,
        ScalarType.BFloat16 => -3.3895313892515355e38,
        ScalarType.Float16 => -65504.0,
        ScalarType.Float64 => double.MinValue,
        _ => throw new ArgumentException($"attention in dtype {dtype} is not supported", nameof(dtype)),
    };
}
