using SeedGrains.Abstractions.Sessions;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Grains.Sessions;

/// <summary>How a region renders: each mask as <see cref="SessionSnapshot.MaskPlaceholder"/>, committed runs decoded together.</summary>
internal static class RegionRenderer
{
    public static IReadOnlyList<RegionPiece> Pieces(RegionSegment region, ICodeTokenizer tokenizer, SpecialTokenIds specials)
    {
        var pieces = new List<RegionPiece>();
        // Committed tokens between masks decode together (a byte-level token may hold part of a character).
        var run = new List<int>();
        for (var i = 0; i < region.Tokens.Length; i++)
        {
            var token = region.Tokens[i];
            if (token == specials.Mask)
            {
                Flush();
                pieces.Add(new RegionPiece(true, SessionSnapshot.MaskPlaceholder, i));
            }
            else if (token != specials.Pad && token != specials.End)
            {
                run.Add(token);
            }
        }
        Flush();
        return pieces;

        void Flush()
        {
            if (run.Count == 0) return;
            var text = tokenizer.Decode(run);
            if (text.Length > 0) pieces.Add(new RegionPiece(false, text));
            run.Clear();
        }
    }
}
