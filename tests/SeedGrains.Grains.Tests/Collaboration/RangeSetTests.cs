using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;

namespace SeedGrains.Grains.Tests.Collaboration;

public sealed class RangeSetTests
{
    [Fact]
    public void Ranges_apply_simultaneously_to_the_text_before_the_change()
    {
        var change = new TextChange(2, "alice", [new(0, 0, ">"), new(0, 5, "HOWDY"), new(6, 11, ""), new(11, 11, "!")]);

        Assert.Equal(">HOWDY !", change.Apply("hello world"));
        Assert.Equal(-3, change.LengthDelta);
    }

    [Theory]
    [InlineData(-1, 0, "not within")]
    [InlineData(3, 2, "not within")]
    [InlineData(0, 12, "not within")]
    public void A_range_outside_the_text_is_refused(int start, int end, string message)
    {
        var error = Assert.Throws<InvalidSessionRequestException>(() => RangeSet.Apply("hello world", [new(start, end, "x")]));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_or_unsorted_ranges_are_refused_and_nothing_is_applied()
    {
        Assert.Contains("sorted and non-overlapping", Assert.Throws<InvalidSessionRequestException>(
            () => RangeSet.Apply("hello", [new(0, 3, "a"), new(2, 4, "b")])).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidSessionRequestException>(() => RangeSet.Apply("hello", [new(3, 4, "a"), new(0, 1, "b")]));
        // An insertion may precede a range starting at its point, but not follow one.
        Assert.Equal("xYllo", RangeSet.Apply("hello", [new(0, 0, "x"), new(0, 2, "Y")]));
        Assert.Throws<InvalidSessionRequestException>(() => RangeSet.Apply("hello", [new(0, 2, "Y"), new(0, 0, "x")]));
    }

    [Fact]
    public void Two_insertions_at_one_point_are_refused()
    {
        var error = Assert.Throws<InvalidSessionRequestException>(() => RangeSet.Apply("hello", [new(2, 2, "a"), new(2, 2, "b")]));
        Assert.Contains("both insertions at 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_inverse_restores_the_text()
    {
        ReplacedRange[] ranges = [new(0, 1, "HH"), new(2, 2, "+"), new(3, 5, "")];
        var changed = RangeSet.Apply("hello", ranges);

        Assert.Equal("HHe+l", changed);
        Assert.Equal("hello", RangeSet.Apply(changed, RangeSet.Inverse("hello", ranges)));
    }

    [Fact]
    public void No_ops_are_dropped()
    {
        Assert.Equal([new ReplacedRange(1, 2, "")], RangeSet.WithoutNoOps([new(0, 0, ""), new(1, 2, "")]));
    }
}
