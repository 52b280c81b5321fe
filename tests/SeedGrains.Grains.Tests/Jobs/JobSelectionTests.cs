using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Jobs;

namespace SeedGrains.Grains.Tests.Jobs;

public sealed class JobSelectionTests
{
    private static string Selected(string text, JobSelection selection) =>
        string.Join("|", selection.Find(text, null).Select(r => text[r.Start..r.End]));

    [Fact]
    public void Todo_selects_each_line_carrying_the_marker_without_its_break()
    {
        var text = "a = 1\nb = 2  # TODO(rewrite)\nc = 3\r\n    d()  # TODO(rewrite) later\r\n";
        Assert.Equal("b = 2  # TODO(rewrite)|    d()  # TODO(rewrite) later", Selected(text, JobSelectionSyntax.Parse("todo")));
    }

    [Fact]
    public void A_regex_selects_every_match_and_merges_overlaps()
    {
        var selection = JobSelectionSyntax.Parse("regex:x+y?|xy");
        Assert.Equal("xx|xxy", Selected("axx b xxy c", selection));
        Assert.Empty(selection.Find("nothing here", null));
    }

    [Fact]
    public void A_bad_selection_is_an_invalid_request()
    {
        Assert.Throws<InvalidSessionRequestException>(() => JobSelectionSyntax.Parse("regex:("));
        Assert.Throws<InvalidSessionRequestException>(() => JobSelectionSyntax.Parse("lines:3"));
        Assert.Throws<InvalidSessionRequestException>(() => JobSelectionSyntax.Parse("python-body:"));
    }

    [Fact]
    public void Explicit_ranges_are_checked_against_the_text()
    {
        var ranges = new RangesSelection();
        Assert.Equal([new TextRegion(0, 2), new TextRegion(3, 4)], ranges.Find("abcdef", [new TextRegion(3, 4), new TextRegion(0, 2)]));
        Assert.Empty(ranges.Find("abc", null));
        Assert.Throws<InvalidSessionRequestException>(() => ranges.Find("abc", [new TextRegion(1, 9)]));
        Assert.Throws<InvalidSessionRequestException>(() => ranges.Find("abcdef", [new TextRegion(0, 3), new TextRegion(2, 4)]));
    }
}
