using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Grains.Sessions;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests.Sessions;

/// <summary><see cref="DocumentCanvas.Apply"/> checks a whole step before it writes any of it.</summary>
public sealed class DocumentCanvasApplyTests
{
    private static readonly SpecialTokenIds Specials = new(CharTokenizer.Mask, CharTokenizer.Pad, CharTokenizer.End);

    // "ab" + region of 5 masks (explicit budget) + "cd": window positions 2..6 are masked.
    private static DocumentCanvas Canvas() =>
        DocumentCanvas.Create("abXcd", [new TextRegion(2, 3, MaxTokens: 5)], new CharTokenizer(), Specials, new SessionOptions { PadEndsRegion = false });

    private static StepCommit Commit(int position, char c) => new(position, CharTokenizer.IdOf(c), 0.9f);

    public static TheoryData<string, StepCommit> BadThirdCommits => new()
    {
        { "outside the window", Commit(99, 'z') },
        { "not masked", Commit(0, 'z') },
        { "twice on one position", Commit(2, 'z') },
        { "the mask token", new StepCommit(4, CharTokenizer.Mask, 0.9f) },
    };

    [Theory]
    [MemberData(nameof(BadThirdCommits))]
    public void A_rejected_step_leaves_the_document_unchanged(string why, StepCommit third)
    {
        var canvas = Canvas();
        var window = canvas.BuildWindow(64);
        var before = canvas.Render().Text;

        Assert.Throws<InvalidOperationException>(() => canvas.Apply(window, [Commit(2, 'x'), Commit(3, 'y'), third]));

        Assert.True(before == canvas.Render().Text, $"a step whose third commit is {why} changed the document");
        Assert.Equal(5, canvas.Masked);
        Assert.Equal(0, canvas.BuildWindow(64).StepsTaken); // the rejected step was not counted either
    }

    [Fact]
    public void A_valid_step_writes_every_commit_and_counts_once()
    {
        var canvas = Canvas();
        var window = canvas.BuildWindow(64);

        Assert.Equal(3, canvas.Apply(window, [Commit(2, 'x'), Commit(3, 'y'), Commit(6, 'w')]));

        Assert.Equal(2, canvas.Masked);
        Assert.Equal(1, canvas.BuildWindow(64).StepsTaken);
        Assert.Equal("abxy" + SessionSnapshot.MaskPlaceholder + SessionSnapshot.MaskPlaceholder + "wcd", canvas.Render().Text);
    }

    [Fact]
    public void A_step_computed_before_an_edit_commits_into_the_masks_the_edit_left_wherever_they_moved()
    {
        var canvas = Canvas();
        var window = canvas.BuildWindow(64);
        // While the step ran: "Z" typed at the start, and "!" over the third mask's placeholder (the region splits).
        var mask = SessionSnapshot.MaskPlaceholder.Length;
        var third = 2 + 2 * mask;
        var edited = canvas.WithChange([new ReplacedRange(0, 0, "Z"), new ReplacedRange(third, third + mask, "!")]).Canvas;
        Assert.Equal("Zab" + string.Concat(Enumerable.Repeat(SessionSnapshot.MaskPlaceholder, 2)) + "!" +
            string.Concat(Enumerable.Repeat(SessionSnapshot.MaskPlaceholder, 2)) + "cd", edited.Render().Text);

        // The step filled masks 1–4 (window positions 2–5): the third is gone, the others land where they are now.
        Assert.Equal(3, edited.Apply(window, [Commit(2, 'p'), Commit(3, 'q'), Commit(4, 'r'), Commit(5, 's')]));

        Assert.Equal("Zabpq!s" + SessionSnapshot.MaskPlaceholder + "cd", edited.Render().Text);
        Assert.Equal(1, edited.Masked);
        Assert.Equal(1, edited.BuildWindow(64).StepsTaken); // the part still denoising counted the step once
    }

    [Fact]
    public void A_step_whose_masks_were_all_taken_by_an_edit_writes_nothing()
    {
        var canvas = Canvas();
        var window = canvas.BuildWindow(64);
        var text = canvas.Render().Text;
        var edited = canvas.WithChange([new ReplacedRange(2, text.Length - 2, "typed over")]).Canvas;

        Assert.Equal(0, edited.Apply(window, [Commit(2, 'p'), Commit(3, 'q')]));
        Assert.Equal("abtyped overcd", edited.Render().Text);
    }
}
