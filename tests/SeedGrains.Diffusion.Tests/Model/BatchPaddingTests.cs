using SeedGrains.Diffusion.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Tests.Model;

/// <summary>Rows of different lengths batched with a key mask give each row's logits as if it ran alone.</summary>
public sealed class BatchPaddingTests : IDisposable
{
    private const float Tolerance = 1e-4f;
    private readonly Qwen2Model model = TinyModels.Create(TinyModels.TiedConfig());
    private readonly IDisposable noGrad = no_grad();

    public void Dispose()
    {
        noGrad.Dispose();
        model.Dispose();
    }

    [Theory]
    [InlineData(AttentionMode.Bidirectional)]
    [InlineData(AttentionMode.Causal)]
    public void RightPaddedRowsEqualOneAtATime(AttentionMode mode)
    {
        using var scope = NewDisposeScope();
        int[] lengths = [13, 6, 9];
        const int width = 13;
        var ids = TinyModels.RandomIds(lengths.Length, width, model.Config.VocabSize, 21);
        var keyMask = zeros(lengths.Length, width, ScalarType.Int64);
        for (var row = 0; row < lengths.Length; row++)
        {
            keyMask[row].narrow(0, 0, lengths[row]).fill_(1);
        }
        var batched = model.Forward(ids, mode, keyMask);
        Assert.False(batched.isnan().any().item<bool>());
        for (var row = 0; row < lengths.Length; row++)
        {
            var alone = model.Forward(ids.narrow(0, row, 1).narrow(1, 0, lengths[row]), mode);
            var diff = TinyModels.MaxAbsDiff(batched.narrow(0, row, 1).narrow(1, 0, lengths[row]), alone);
            Assert.True(diff < Tolerance, $"row {row}: {diff}");
        }
    }

    [Fact]
    public void WithoutTheMaskPaddingLeaksIn()
    {
        // The key mask must matter: the short row changes when it can see the padding.
        using var scope = NewDisposeScope();
        var ids = TinyModels.RandomIds(1, 10, model.Config.VocabSize, 22);
        var keyMask = tensor(new[,] { { true, true, true, true, true, true, false, false, false, false } });
        var masked = model.Forward(ids, AttentionMode.Bidirectional, keyMask).narrow(1, 0, 6);
        var unmasked = model.Forward(ids, AttentionMode.Bidirectional).narrow(1, 0, 6);
        Assert.True(TinyModels.MaxAbsDiff(masked, unmasked) > 1e-3);
    }

    [Fact]
    public void LeftPaddedCausalRowsWithPositionIdsEqualOneAtATime()
    {
        using var scope = NewDisposeScope();
        var ids = TinyModels.RandomIds(2, 8, model.Config.VocabSize, 23);
        var keyMask = tensor(new long[,] { { 0, 0, 0, 1, 1, 1, 1, 1 }, { 1, 1, 1, 1, 1, 1, 1, 1 } });
        var positions = tensor(new long[,] { { 0, 0, 0, 0, 1, 2, 3, 4 }, { 0, 1, 2, 3, 4, 5, 6, 7 } });
        var batched = model.LmHead(model.ForwardHidden(ids, AttentionMode.Causal, keyMask, positions));
        Assert.False(batched.isnan().any().item<bool>());
        var alone = model.Forward(ids.narrow(0, 0, 1).narrow(1, 3, 5), AttentionMode.Causal);
        Assert.True(TinyModels.MaxAbsDiff(batched.narrow(0, 0, 1).narrow(1, 3, 5), alone) < Tolerance);
    }

    [Fact]
    public void BadInputsAreRejectedWithClearErrors()
    {
        using var scope = NewDisposeScope();
        var ids = TinyModels.RandomIds(2, 5, model.Config.VocabSize, 24);
        Assert.Contains("keyMask", Assert.Throws<ArgumentException>(() => model.Forward(ids, AttentionMode.Bidirectional, ones(2, 4))).Message);
        Assert.Contains("outside the vocabulary", Assert.Throws<ArgumentException>(() => model.Forward(ids + 1000, AttentionMode.Causal)).Message);
        Assert.Contains("[B, T]", Assert.Throws<ArgumentException>(() => model.Forward(ids.flatten(), AttentionMode.Causal)).Message);
        Assert.Contains("positionIds", Assert.Throws<ArgumentException>(() => model.ForwardHidden(ids, AttentionMode.Causal, positionIds: arange(4))).Message);
        Assert.Contains("LmHead", Assert.Throws<ArgumentException>(() => model.LmHead(ones(2, 5, 7))).Message);
    }
}
