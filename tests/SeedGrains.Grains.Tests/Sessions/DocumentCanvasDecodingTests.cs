using Microsoft.Extensions.Logging.Abstractions;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Grains.Sessions;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests.Sessions;

/// <summary>A region's decoding in the canvas: the window positions a step may commit, its steps, and what is persisted.</summary>
public sealed class DocumentCanvasDecodingTests
{
    private static readonly SpecialTokenIds Specials = new(CharTokenizer.Mask, CharTokenizer.Pad, CharTokenizer.End);
    private static readonly SessionOptions Options = new() { PadEndsRegion = false };
    private static readonly RegionDecoding Blocks = DecodingResolver.Defaults(Options) with { Rule = StepCommitRule.TopK, MaxSteps = 6, BlockSize = 4 };

    private static StepCommit Commit(int position, char c) => new(position, CharTokenizer.IdOf(c), 0.5f);

    [Fact]
    public void A_blocked_region_commits_block_by_block_with_its_share_of_the_steps()
    {
        // "ab" + 10 masks + "cd": blocks [2,6) [6,10) [10,12) in window positions.
        var canvas = DocumentCanvas.Create("abXcd", [new TextRegion(2, 3, MaxTokens: 10)], new CharTokenizer(), Specials, Options, Blocks);

        var first = canvas.BuildWindow(64);
        Assert.Equal((2, 6, 2), (first.CommitFrom, first.CommitTo, first.StepsLeft)); // 6 steps over 3 blocks
        Assert.Throws<InvalidOperationException>(() => canvas.Apply(first, [Commit(6, 'z')])); // outside the block
        canvas.Apply(first, [Commit(2, 'e'), Commit(3, 'f'), Commit(4, 'g'), Commit(5, 'h')]);

        var second = canvas.BuildWindow(64);
        Assert.Equal((6, 10, 2, 1), (second.CommitFrom, second.CommitTo, second.StepsLeft, second.StepsTaken)); // 5 left over 2 blocks
        Assert.Equal(Blocks, second.Decoding);
    }

    [Fact]
    public void Regions_of_one_window_share_a_step_only_when_they_share_the_decoding()
    {
        var text = "abXcdYef";
        var same = DocumentCanvas.Create(text, [new TextRegion(2, 3, MaxTokens: 3), new TextRegion(5, 6, MaxTokens: 3)], new CharTokenizer(), Specials, Options);
        var shared = same.BuildWindow(64);
        Assert.Equal((2, 10, 6), (shared.CommitFrom, shared.CommitTo, shared.StepsLeft)); // both regions, a step per mask

        // The second region regenerated with a decoding of its own: the first region's steps commit only in it.
        var first = DocumentCanvas.Create(text, [new TextRegion(2, 3, MaxTokens: 3)], new CharTokenizer(), Specials, Options);
        var rendered = first.Render().Text; // "ab" + 3 placeholders + "cdYef"
        var mixed = first.WithRegenerated([new TextRegion(rendered.Length - 3, rendered.Length - 2, MaxTokens: 3)], decoding: Blocks with { BlockSize = 0 }).Canvas;
        var own = mixed.BuildWindow(64);
        Assert.Equal((2, 5), (own.CommitFrom, own.CommitTo));
        mixed.Apply(own, [Commit(2, 'x'), Commit(3, 'y'), Commit(4, 'z')]);
        mixed.FinalizeCompletedRegions();
        var next = mixed.BuildWindow(64);
        Assert.Equal((7, 10, 6), (next.CommitFrom, next.CommitTo, next.StepsLeft)); // "abxyzcd" + 3 masks: its own budget of 6
    }

    [Fact]
    public void A_region_split_by_a_person_s_edit_keeps_its_decoding_and_steps_in_both_parts()
    {
        var canvas = DocumentCanvas.Create("abXcd", [new TextRegion(2, 3, MaxTokens: 6)], new CharTokenizer(), Specials, Options, Blocks);
        canvas.Apply(canvas.BuildWindow(64), [Commit(2, 'x')]); // one step: "ab" + "x" + 5 masks + "cd"
        var placeholder = SeedGrains.Abstractions.Sessions.SessionSnapshot.MaskPlaceholder.Length;
        var afterSecondMask = 3 + 2 * placeholder; // "abx" + two placeholders
        var split = canvas.WithChange([new SeedGrains.Abstractions.Collaboration.ReplacedRange(afterSecondMask, afterSecondMask, "HI")]).Canvas;

        var (decodings, steps) = split.DecodingToPersist();
        Assert.Equal(2, decodings.Count); // two masks before "HI", three after
        Assert.All(decodings, d => Assert.Equal(Blocks, d));
        Assert.All(steps, s => Assert.Equal(1, s));
        Assert.Equal(5, split.Masked);
    }

    [Fact]
    public void A_region_at_the_start_is_offset_by_the_leading_end_token()
    {
        var canvas = DocumentCanvas.Create("Xab", [new TextRegion(0, 1, MaxTokens: 3)], new CharTokenizer(), Specials, Options);
        var window = canvas.BuildWindow(64);
        Assert.Equal((-1, 1, 4), (window.Offset, window.CommitFrom, window.CommitTo));
    }

    [Fact]
    public void Decoding_and_steps_survive_a_checkpoint()
    {
        var codec = new SessionStateCodec(new CharTokenizer(), Specials, "tiny", Options, NullLogger.Instance, "t/s");
        var canvas = codec.Create("abXcd", [new TextRegion(2, 3, MaxTokens: 10)], Blocks with { Seed = 42, Temperature = 0.7f });
        canvas.Apply(canvas.BuildWindow(64), [Commit(2, 'e')]);

        var saved = codec.Capture(canvas, 2, SessionStatus.Denoising, null, 0, SessionPriority.Interactive, transient: false, suspended: false);
        var restored = codec.Restore(saved).BuildWindow(64);

        Assert.Equal(Blocks with { Seed = 42, Temperature = 0.7f }, restored.Decoding);
        Assert.Equal(1, restored.StepsTaken);
        Assert.Equal((2, 6), (restored.CommitFrom, restored.CommitTo)); // still the first block (position 2 is committed, 3..5 are not)
    }

    [Fact]
    public void A_state_without_decodings_restores_with_the_configured_defaults()
    {
        var codec = new SessionStateCodec(new CharTokenizer(), Specials, "tiny", Options, NullLogger.Instance, "t/s");
        var saved = codec.Capture(codec.Create("abXcd", [new TextRegion(2, 3)], Blocks), 1, SessionStatus.Denoising, null, 0,
            SessionPriority.Interactive, transient: false, suspended: false);
        saved.RegionDecodings = null; // written before decodings were persisted
        saved.RegionSteps = null;

        var window = codec.Restore(saved).BuildWindow(64);

        Assert.Equal(DecodingResolver.Defaults(Options), window.Decoding);
        Assert.Equal(0, window.StepsTaken);
    }
}
