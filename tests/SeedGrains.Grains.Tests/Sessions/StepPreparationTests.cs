using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Sessions;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class StepPreparationTests
{
    private static DocumentCanvas Canvas(int? seed = null) =>
        DocumentCanvas.Create("ab", [new TextRegion(1, 1, MaxTokens: 3)], new CharTokenizer(), SessionParts.Specials, new SessionOptions(),
            DecodingResolver.Defaults(new SessionOptions()) with { Seed = seed });

    [Fact]
    public void The_call_names_the_session_and_carries_the_window_and_the_tenants_weight()
    {
        var (window, call) = StepPreparation.For(Canvas(), 64, "t1/s1", 5, SessionPriority.Bulk, weight: 3);

        Assert.Equal(("t1", "s1", SessionPriority.Bulk, 3), (call.Tenant, call.Session, call.Priority, call.Weight));
        Assert.Same(window.Tokens, call.Tokens);
        Assert.Equal((window.CommitFrom, window.CommitTo, window.StepsLeft), (call.CommitFrom, call.CommitTo, call.StepsLeft));
        Assert.Equal(3, call.Tokens.Count(t => t == CharTokenizer.Mask));
    }

    [Fact]
    public void Without_a_fixed_seed_the_seed_follows_the_key_and_the_version()
    {
        ulong Seed(string key, long version) => StepPreparation.For(Canvas(), 64, key, version, SessionPriority.Interactive, 1).Call.Seed;

        Assert.Equal(Seed("t/s", 4), Seed("t/s", 4));
        Assert.NotEqual(Seed("t/s", 4), Seed("t/s", 5));
        Assert.NotEqual(Seed("t/s", 4), Seed("t/other", 4));
    }

    [Fact]
    public void A_fixed_seed_ignores_the_key_and_the_version()
    {
        var a = StepPreparation.For(Canvas(seed: 7), 64, "t/s", 4, SessionPriority.Interactive, 1).Call.Seed;
        var b = StepPreparation.For(Canvas(seed: 7), 64, "t/other", 9, SessionPriority.Interactive, 1).Call.Seed;

        Assert.Equal(a, b);
    }

    [Fact]
    public void TextLimit_names_what_is_too_long()
    {
        TextLimit.Check(10, 10, "text");
        var error = Assert.Throws<InvalidSessionRequestException>(() => TextLimit.Check(11, 10, "text after the edits"));
        Assert.Equal("The text after the edits has 11 characters; the limit is 10.", error.Message);
    }
}
