using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Tests.Collaboration;

public sealed class RangeMapperTests
{
    [Theory]
    [InlineData(4, 8, 0, 2, "", 2, 6)]     // a deletion before shifts it left
    [InlineData(4, 8, 4, 4, "ab", 6, 10)]  // an insertion at its start stays outside
    [InlineData(4, 8, 8, 8, "ab", 4, 8)]   // an insertion at its end stays outside
    [InlineData(4, 8, 2, 6, "Z", 2, 5)]    // a range over its start: the span covers its new text
    [InlineData(4, 8, 6, 10, "Z", 4, 7)]   // a range over its end: likewise
    [InlineData(4, 8, 5, 6, "ZZZ", 4, 10)] // a range inside grows it
    [InlineData(4, 4, 4, 4, "ab", 6, 6)]   // an empty span after an insertion at its point
    [InlineData(4, 8, 10, 12, "", 4, 8)]   // a range after it changes nothing
    public void A_span_follows_a_later_change(int start, int end, int changeStart, int changeEnd, string text, int expectedStart, int expectedEnd)
    {
        Assert.Equal((expectedStart, expectedEnd), RangeMapper.Map(start, end, [new(changeStart, changeEnd, text)]));
    }
}
