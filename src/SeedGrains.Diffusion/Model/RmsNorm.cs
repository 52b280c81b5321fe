using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>
/// Root-mean-square layer norm as in HF's Qwen2RMSNorm (TorchSharp 0.107 has none): normalise in float32,
/// cast back to the input dtype, then scale by the learned weight.
/// </summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    // Scalars held for the module's life (not converted per call: an implicit Scalar is a finalizable object nothing
    // keeps alive while native code reads it).
    private readonly Scalar eps;
    private readonly Scalar two = 2.ToScalar();

    public RmsNorm(long dim, double eps, ParameterPlacement placement = default) : base(nameof(RmsNorm))
    {
        this.eps = eps.ToScalar();
        weight = new Parameter(ones(dim, placement.Dtype, placement.Device));
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to(ScalarType.Float32);
        var variance = x.pow(two).mean([-1L], keepdim: true);
        var normed = (x * rsqrt(variance + eps)).to(input.dtype);
        return (weight * normed).MoveToOuterDisposeScope();
    }
}
