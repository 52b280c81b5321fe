using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>
/// Rotary position embedding with HF's rotate_half convention (the two halves of a head are the pair, not
/// interleaved lanes). Angles are computed in float32 like HF, then cast to the activation dtype.
/// </summary>
internal static class RotaryEmbedding
{
    /// <summary>cos and sin tables [B, 1, T, headDim] for positions [B, T].</summary>
    public static (Tensor Cos, Tensor Sin) Tables(Tensor positionIds, int headDim, double theta, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var device = positionIds.device;
        // inv_freq = 1 / theta^(2i/d), as HF computes it (float32 pow).
        var exponents = arange(0, headDim, 2, ScalarType.Int64, device).to(ScalarType.Float32) / headDim;
        var invFreq = full(1, theta, ScalarType.Float32, device).pow(exponents).reciprocal();
        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * invFreq;   // [B, T, d/2]
        var angles = cat([freqs, freqs], -1).unsqueeze(1);                      // [B, 1, T, d]
        var cos = angles.cos().to(dtype).MoveToOuterDisposeScope();
        var sin = angles.sin().to(dtype).MoveToOuterDisposeScope();
        return (cos, sin);
    }

    /// <summary>x [B, H, T, d] rotated by the tables.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat([x2.neg(), x1], -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }
}
