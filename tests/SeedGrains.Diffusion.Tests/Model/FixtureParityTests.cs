using SeedGrains.Diffusion.Checkpoints;
using SeedGrains.Diffusion.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Tests.Model;

/// <summary>Logits of the HF-saved fixture model match transformers / PyTorch in all three attention modes.</summary>
public sealed class FixtureParityTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void MatchesReferenceLogitsInAllModes()
    {
        using var model = Checkpoint.Load(TinyModels.FixtureDir, CPU);
        var report = ReferenceParity.Compare(model, Path.Combine(TinyModels.FixtureDir, "reference.safetensors"));
        Assert.True(report.CausalMaxAbsDiff <= Tolerance, $"causal {report.CausalMaxAbsDiff}");
        Assert.True(report.BidirectionalMaxAbsDiff <= Tolerance, $"bidirectional {report.BidirectionalMaxAbsDiff}");
        Assert.True(report.KeymaskMaxAbsDiff <= Tolerance, $"keymask {report.KeymaskMaxAbsDiff}");
        Assert.Equal((2L, 24L, 512L), (report.Batch, report.Length, report.Vocab));
    }

    [Theory]
    [InlineData("model.layers.1.self_attn.k_proj.bias")]
    [InlineData("model.layers.0.post_attention_layernorm.weight")]
    [InlineData("model.norm.weight")]
    public void DetectsAPerturbedWeight(string tensorName)
    {
        // The comparison must be able to fail: nudging one tensor moves every mode past the tolerance.
        using var model = Checkpoint.Load(TinyModels.FixtureDir, CPU);
        using (no_grad())
        {
            model.state_dict()[tensorName].add_(0.05);
        }
        var report = ReferenceParity.Compare(model, Path.Combine(TinyModels.FixtureDir, "reference.safetensors"));
        Assert.True(report.CausalMaxAbsDiff > 1e-3, $"causal {report.CausalMaxAbsDiff}");
        Assert.True(report.BidirectionalMaxAbsDiff > 1e-3, $"bidirectional {report.BidirectionalMaxAbsDiff}");
        Assert.True(report.KeymaskMaxAbsDiff > 1e-3, $"keymask {report.KeymaskMaxAbsDiff}");
    }

    [Fact]
    public void BidirectionalDiffersFromCausal()
    {
        // Guards against a mode switch that silently does nothing.
        using var model = Checkpoint.Load(TinyModels.FixtureDir, CPU);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = TinyModels.RandomIds(1, 12, model.Config.VocabSize, 7);
        var causal = model.Forward(ids, AttentionMode.Causal);
        var bidirectional = model.Forward(ids, AttentionMode.Bidirectional);
        Assert.True(TinyModels.MaxAbsDiff(causal, bidirectional) > 1e-2);
        // Causal really is causal: a truncated input gives the same logits for the positions it keeps.
        var truncated = model.Forward(ids.narrow(1, 0, 5), AttentionMode.Causal);
        Assert.True(TinyModels.MaxAbsDiff(truncated, causal.narrow(1, 0, 5)) < 1e-5);
        // ... and bidirectional is not: the kept positions change when later tokens go away.
        var truncatedBidirectional = model.Forward(ids.narrow(1, 0, 5), AttentionMode.Bidirectional);
        Assert.True(TinyModels.MaxAbsDiff(truncatedBidirectional, bidirectional.narrow(1, 0, 5)) > 1e-2);
    }
}
