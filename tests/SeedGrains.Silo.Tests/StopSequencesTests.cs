using SeedGrains.Silo.Api;

namespace SeedGrains.Silo.Tests;

/// <summary>The stop-string rules on their own: where the text ends, and what of a growing text may be sent yet.</summary>
public sealed class StopSequencesTests
{
    [Theory]
    [InlineData("return x\n\ndef g", 8)]   // the earliest stop wins
    [InlineData("return x # done", 9)]
    [InlineData("return x", null)]
    [InlineData("", null)]
    public void The_first_stop_string_in_the_text_ends_it(string text, int? expected) =>
        Assert.Equal(expected, new StopSequences(["\n\n", "# done"]).FirstIn(text));

    [Theory]
    [InlineData("return x\n", 8)]        // "\n" may become "\n\n": held back
    [InlineData("return x #", 9)]        // "#" may become "# done"
    [InlineData("return x # do", 9)]     // the longest tail that starts a stop string is held
    [InlineData("return x", 8)]          // nothing to hold
    [InlineData("return x # dx", 13)]    // "# dx" cannot become a stop string any more
    public void A_tail_that_could_start_a_stop_string_is_held_back(string text, int expected) =>
        Assert.Equal(expected, new StopSequences(["\n\n", "# done"]).Sendable(text));

    [Fact]
    public void Without_stop_strings_everything_is_sendable_and_nothing_stops() =>
        Assert.Equal((9, (int?)null), (new StopSequences([]).Sendable("return x\n"), new StopSequences([]).FirstIn("return x\n")));
}
