using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) * up(x)); HF names gate_proj, up_proj, down_proj.</summary>
internal sealed class Qwen2Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_proj;
    private readonly Linear up_proj;
    private readonly Linear down_proj;

    public Qwen2Mlp(ModelConfig config, ParameterPlacement placement) : base(nameof(Qwen2Mlp))
    {
        gate_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false, placement.Device, placement.Dtype);
        up_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false, placement.Device, placement.Dtype);
        down_proj = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: false, placement.Device, placement.Dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(gate_proj.forward(input)) * up_proj.forward(input);
        return down_proj.forward(gated).MoveToOuterDisposeScope();
    }
}
