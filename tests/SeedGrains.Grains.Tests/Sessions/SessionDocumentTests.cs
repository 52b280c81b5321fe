using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Grains.Sessions;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class SessionDocumentTests
{
    private static readonly SpecialTokenIds Specials = new(CharTokenizer.Mask, CharTokenizer.Pad, CharTokenizer.End);

    private static DocumentCanvas Canvas(string text, params TextRegion[] regions) =>
        DocumentCanvas.Create(text, regions, new CharTokenizer(), Specials, new SessionOptions());

    [Fact]
    public void Every_change_moves_the_generation_and_the_snapshot_shows_the_rendered_state()
    {
        var document = new SessionDocument("s");
        Assert.False(document.Exists);
        document.Start(Canvas("a", new TextRegion(1, 1, MaxTokens: 1)), 1, SessionStatus.Denoising);
        var generation = document.Generation;

        var snapshot = document.Render();

        Assert.Same(snapshot, document.Snapshot);
        Assert.Equal(new[] { "s", "a" + SessionSnapshot.MaskPlaceholder }, new[] { snapshot.Id, snapshot.Text });
        Assert.Equal((1L, SessionStatus.Denoising, 1), (snapshot.Version, snapshot.Status, snapshot.Masked));
        document.DiscardStepsInFlight();
        Assert.Equal(generation + 1, document.Generation);
    }

    [Fact]
    public void A_step_that_fills_the_last_mask_makes_the_next_version_idle()
    {
        var document = new SessionDocument("s");
        document.Start(Canvas("a", new TextRegion(1, 1, MaxTokens: 2)), 1, SessionStatus.Denoising);
        var window = document.Canvas!.BuildWindow(16);

        var (committed, change) = document.CommitStep(window, [new StepCommit(1, CharTokenizer.IdOf('b'), 1f)]);
        Assert.Equal(1, committed);
        Assert.Equal(new TextChange(2, ChangeAuthors.Model, [new ReplacedRange(1, 9, "b")]), change); // the first placeholder became "b"
        Assert.Equal((2L, SessionStatus.Denoising), (document.Version, document.Status));

        var generation = document.Generation;
        Assert.Throws<InvalidOperationException>(() => document.CommitStep(document.Canvas.BuildWindow(16), [new StepCommit(1, CharTokenizer.IdOf('x'), 1f)]));
        Assert.Equal((2L, generation), (document.Version, document.Generation)); // a broken step is no change

        document.CommitStep(document.Canvas.BuildWindow(16), [new StepCommit(2, CharTokenizer.IdOf('c'), 1f)]);
        Assert.Equal((3L, SessionStatus.Idle), (document.Version, document.Status));
        Assert.Equal("abc", document.Render().Text);
        Assert.Equal(2, document.Snapshot!.Generated); // one per committed token; the broken step counted none

        document.Start(Canvas("d", new TextRegion(1, 1, MaxTokens: 1)), 4, SessionStatus.Denoising);
        Assert.Equal(0, document.Render().Generated); // a new document counts from zero
    }

    [Fact]
    public void A_loaded_state_is_not_a_change_and_a_cleared_one_is_gone()
    {
        var document = new SessionDocument("s");
        document.Load(Canvas("x"), 7, SessionStatus.Idle, "earlier failure", generated: 12);
        Assert.Equal(0, document.Generation);
        Assert.Equal("earlier failure", document.Render().Error);
        Assert.Equal(12, document.Snapshot!.Generated); // the stored count goes on

        document.Purging();
        Assert.Equal(SessionStatus.None, document.Status);
        document.Clear();
        Assert.False(document.Exists);
        Assert.Null(document.Snapshot);
    }
}
