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
}
