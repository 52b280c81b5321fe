namespace SeedGrains.Grains.Sessions;

/// <summary>
/// How many masks a rewritten region gets when the caller gives no explicit size. The model may end early (pad/end
/// tokens are dropped), so the budget is a cap: the replaced text's token count plus headroom of
/// max(<see cref="SessionOptions.MinExtraTokens"/>, <see cref="SessionOptions.ExtraFraction"/> of it), at most
/// <see cref="SessionOptions.MaxRegionTokens"/>. An insertion (empty range) gets the minimum headroom.
/// </summary>
public static class MaskBudget
{
    public static int For(int replacedTokens, SessionOptions options)
    {
        var extra = Math.Max(options.MinExtraTokens, (int)Math.Ceiling(replacedTokens * options.ExtraFraction));
        return Math.Clamp(replacedTokens + extra, 1, Math.Max(1, options.MaxRegionTokens));
    }
}
