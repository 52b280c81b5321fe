using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Tokenization;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Cli.Commands.BenchService;

/// <summary>
/// The window a session grain sends the model for a one-region document, built the same way (mirrors
/// DocumentCanvas.Create + BuildWindow, which are internal to the grains): prefix and suffix tokenized separately, the
/// region as <see cref="MaskBudget"/> masks, and — for a document longer than the window — the region centred in as
/// much context as fits. While the region has masks the window does not move, so the raw loop can keep it.
/// </summary>
internal sealed record SessionWindow(int[] Tokens, int RegionOffset, int Budget)
{
    public static SessionWindow For(EditCase request, ICodeTokenizer tokenizer, SpecialTokenIds specials, SessionOptions options, int maxWindow)
    {
        int[] Encode(string text) => text.Length == 0 ? [] : tokenizer.EncodeVerbatim(text).Ids;
        var prefix = Encode(request.Prefix);
        var suffix = Encode(request.Suffix);
        var budget = MaskBudget.For(request.Replaced.Length == 0 ? 0 : Encode(request.Replaced).Length, options);
        var all = new List<int>(prefix.Length + budget + suffix.Length);
        all.AddRange(prefix);
        all.AddRange(Enumerable.Repeat(specials.Mask, budget));
        all.AddRange(suffix);

        int lo;
        if (all.Count <= maxWindow)
            lo = 0;
        else if (budget <= maxWindow)
            lo = Math.Clamp(prefix.Length - (maxWindow - budget) / 2, 0, all.Count - maxWindow);
        else
            lo = Math.Clamp(prefix.Length - maxWindow / 8, 0, all.Count - maxWindow);
        var length = Math.Min(maxWindow, all.Count - lo);
        return new SessionWindow(all.GetRange(lo, length).ToArray(), prefix.Length - lo, budget);
    }
}
