using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Model;
using TorchSharp;

namespace SeedGrains.Diffusion.Tests.Decoding;

/// <summary>
/// <see cref="DenoiseStepRequest.CommitFrom"/>/<see cref="DenoiseStepRequest.CommitTo"/>: both steppers commit only the
/// masks inside the range (a semi-AR block), and read the others as masks.
/// </summary>
public sealed class CommitRangeTests
{
    static readonly CommitPolicy Everything = new(CommitRule.TopK);

    static int[] Window()
    {
        var tokens = TinyModels.Tokens(40, 5);
        for (int i = 10; i < 22; i++) tokens[i] = TinyModels.Specials.Mask;
        return tokens;
    }

    public static TheoryData<string> Steppers => new() { "plain", "cached" };

    static IDenoiseStepper Stepper(string kind)
    {
        var model = TinyModels.Create(AttentionMode.Bidirectional, shifted: true);
        return kind == "plain"
            ? new DenoiseStepper(model, TinyModels.Specials, torch.CPU, maxWindow: 64)
            : new DualCacheStepper(model, TinyModels.Specials, torch.CPU, maxWindow: 64, new DualCacheOptions(RefreshEvery: 4));
    }

    [Theory]
    [MemberData(nameof(Steppers))]
    public void Only_masks_inside_the_range_are_committed(string kind)
    {
        var stepper = Stepper(kind);
        var request = new DenoiseStepRequest(Window(), Everything, StepsLeft: 1, CacheKey: "row", CommitFrom: 14, CommitTo: 18);

        var commits = Assert.Single(stepper.Step([request])).Commits;

        // StepsLeft 1 commits every candidate: exactly the four masks of the range.
        Assert.Equal([14, 15, 16, 17], commits.Select(c => c.Position).Order());
    }

    [Theory]
    [MemberData(nameof(Steppers))]
    public void The_whole_window_is_the_default_range(string kind)
    {
        var commits = Assert.Single(Stepper(kind).Step([new DenoiseStepRequest(Window(), Everything, StepsLeft: 1)])).Commits;
        Assert.Equal(Enumerable.Range(10, 12), commits.Select(c => c.Position).Order());
    }

    [Fact]
    public void A_cached_row_whose_range_moves_on_is_recomputed_not_served_stale()
    {
        var stepper = (DualCacheStepper)Stepper("cached");
        var window = Window();
        var first = stepper.Step([new DenoiseStepRequest(window, Everything, StepsLeft: 1, CacheKey: "row", CommitFrom: 10, CommitTo: 14)])[0];
        foreach (var c in first.Commits) window[c.Position] = c.Token;

        var next = stepper.Step([new DenoiseStepRequest(window, Everything, StepsLeft: 1, CacheKey: "row", CommitFrom: 14, CommitTo: 18)])[0];

        Assert.Equal([14, 15, 16, 17], next.Commits.Select(c => c.Position).Order());
        Assert.Equal(2, stepper.FullRows); // the next block's masks were context: its step needs a full forward
        Assert.Equal(0, stepper.CachedRows);
    }
}
