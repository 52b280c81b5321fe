using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Model;
using TorchSharp;

namespace SeedGrains.Diffusion.Tests.Decoding;

public sealed class DualCacheStepperTests
{
    static readonly CommitPolicy TopK = new(CommitRule.TopK);

    /// <summary>Rows of different lengths, regions in the middle, at the start and at the end, each under its own key.</summary>
    static int[][] Windows() =>
    [
        Masked(TinyModels.Tokens(40, 1), 12, 20),
        Masked(TinyModels.Tokens(23, 2), 0, 5),
        Masked(TinyModels.Tokens(60, 3), 50, 60),
    ];

    static int[] Masked(int[] tokens, int from, int to)
    {
        for (int i = from; i < to; i++) tokens[i] = TinyModels.Specials.Mask;
        return tokens;
    }

    /// <summary>Runs every row to completion, one batched step at a time; returns the final windows.</summary>
    static int[][] Decode(IDenoiseStepper stepper, int[][] windows, int steps)
    {
        var canvas = windows.Select(w => (int[])w.Clone()).ToArray();
        for (int step = 0; canvas.Any(w => w.Contains(TinyModels.Specials.Mask)); step++)
        {
            var requests = canvas.Select((w, i) => new DenoiseStepRequest(w, TopK, Seed: (ulong)step, StepsLeft: Math.Max(1, steps - step), CacheKey: $"row{i}")).ToArray();
            var results = stepper.Step(requests);
            for (int r = 0; r < canvas.Length; r++)
                foreach (var c in results[r].Commits)
                {
                    Assert.Equal(TinyModels.Specials.Mask, canvas[r][c.Position]); // never touches an unmasked position
                    canvas[r][c.Position] = c.Token;
                }
        }
        return canvas;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WithARefreshEveryStepItEqualsThePlainStepper(bool shifted)
    {
        var model = TinyModels.Create(AttentionMode.Bidirectional, shifted: shifted);
        var plain = Decode(new DenoiseStepper(model, TinyModels.Specials, torch.CPU, 128), Windows(), steps: 4);
        using var cached = new DualCacheStepper(model, TinyModels.Specials, torch.CPU, 128, new DualCacheOptions(RefreshEvery: 1));
        Assert.Equal(plain, Decode(cached, Windows(), steps: 4));
        Assert.Equal(0, cached.CachedRows);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACachedStepOnAnUnchangedWindowEqualsAFullOne(bool shifted)
    {
        // Nothing committed since the full forward: the kept context is exact, so the padded batch of row caches
        // must give the same commits (and probabilities) as the full forward did.
        var model = TinyModels.Create(AttentionMode.Bidirectional, shifted: shifted);
        using var stepper = new DualCacheStepper(model, TinyModels.Specials, torch.CPU, 128, new DualCacheOptions());
        var requests = Windows().Select((w, i) => new DenoiseStepRequest(w, TopK, StepsLeft: 4, CacheKey: $"row{i}")).ToArray();
        var first = stepper.Step(requests);
        var second = stepper.Step(requests);
        Assert.Equal(3, stepper.FullRows);
        Assert.Equal(3, stepper.CachedRows);
        Assert.Equal(2, stepper.Forwards);
        for (int r = 0; r < requests.Length; r++)
        {
            Assert.Equal(first[r].Commits.Select(c => (c.Position, c.Token)), second[r].Commits.Select(c => (c.Position, c.Token)));
            for (int k = 0; k < first[r].Commits.Count; k++) Assert.Equal(first[r].Commits[k].Confidence, second[r].Commits[k].Confidence, 4);
        }
    }

    [Fact]
    public void AChangeOutsideTheActivePositionsForcesAFullForward()
    {
        using var stepper = new DualCacheStepper(TinyModels.Create(AttentionMode.Bidirectional), TinyModels.Specials, torch.CPU, 128, new DualCacheOptions());
        var window = Windows()[0];
        stepper.Step([new DenoiseStepRequest(window, TopK, StepsLeft: 4, CacheKey: "s")]);
        var edited = (int[])window.Clone();
        edited[3] = edited[3] == 7 ? 8 : 7; // an edit in the context
        stepper.Step([new DenoiseStepRequest(edited, TopK, StepsLeft: 4, CacheKey: "s")]);
        Assert.Equal(2, stepper.FullRows);
        Assert.Equal(0, stepper.CachedRows);
    }

    [Fact]
    public void RefreshesAfterTheConfiguredStepsAndForgetsFinishedRows()
    {
        using var stepper = new DualCacheStepper(TinyModels.Create(AttentionMode.Bidirectional), TinyModels.Specials, torch.CPU, 128, new DualCacheOptions(RefreshEvery: 3));
        var final = Decode(stepper, [Windows()[0]], steps: 8); // 8 masks, top-k one per step: 8 steps
        Assert.DoesNotContain(TinyModels.Specials.Mask, final[0]);
        Assert.Equal(3, stepper.FullRows); // steps 1, 4, 7
        Assert.Equal(5, stepper.CachedRows);
        Assert.Equal(0, stepper.CachedContexts);
    }

    [Fact]
    public void KeepsAtMostMaxEntriesAndNothingForRowsWithoutAKey()
    {
        using var stepper = new DualCacheStepper(TinyModels.Create(AttentionMode.Bidirectional), TinyModels.Specials, torch.CPU, 128, new DualCacheOptions(MaxEntries: 2));
        var windows = Windows();
        stepper.Step(windows.Select((w, i) => new DenoiseStepRequest(w, TopK, StepsLeft: 8, CacheKey: $"row{i}")).ToArray());
        Assert.Equal(2, stepper.CachedContexts);
        // Next step: row 0 (evicted) needs a full forward whose new context evicts an entry a cached row of the
        // same step reads — it must be read before it is dropped.
        stepper.Step(windows.Select((w, i) => new DenoiseStepRequest(w, TopK, StepsLeft: 8, CacheKey: $"row{i}")).ToArray());
        Assert.Equal(2, stepper.CachedContexts);
        Assert.Equal(2, stepper.CachedRows);
        using var keyless = new DualCacheStepper(TinyModels.Create(AttentionMode.Bidirectional), TinyModels.Specials, torch.CPU, 128, new DualCacheOptions());
        keyless.Step(windows.Select(w => new DenoiseStepRequest(w, TopK, StepsLeft: 8)).ToArray());
        Assert.Equal(0, keyless.CachedContexts);
    }
}
