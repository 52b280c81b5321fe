using System.Globalization;
using System.Text.RegularExpressions;

namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// HF's Split pre-tokenizer with behaviour "Isolated": every regex match is a piece and so is every gap
/// between matches. Matches code point by code point like HF's regex engine: .NET's regex sees UTF-16 units,
/// so text with surrogate pairs is matched on a shadow string where each supplementary code point is
/// replaced by one BMP character of the same Unicode category (so \p{L}, \p{N}, \s behave as in HF).
/// </summary>
internal sealed class RegexSplitter
{
    private static readonly Dictionary<UnicodeCategory, char> BmpStandIns = BuildStandIns();

    public RegexSplitter(Regex regex) => Regex = regex;

    public Regex Regex { get; }

    public void Split(string text, int start, int end, List<(int Start, int End)> output)
    {
        var span = text.AsSpan(start, end - start);
        if (span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            SplitSpan(span, start, null, output);
            return;
        }
        var (shadow, shadowToText) = Shadow(span);
        SplitSpan(shadow, start, shadowToText, output);
    }

    private void SplitSpan(ReadOnlySpan<char> span, int offset, int[]? map, List<(int, int)> output)
    {
        var pending = 0;
        foreach (var match in Regex.EnumerateMatches(span))
        {
            if (match.Length == 0)
            {
                continue;
            }
            var matchEnd = match.Index + match.Length;
            if (match.Index > pending)
            {
                output.Add((Map(pending), Map(match.Index)));
            }
            output.Add((Map(match.Index), Map(matchEnd)));
            pending = matchEnd;
        }
        if (pending < span.Length)
        {
            output.Add((Map(pending), Map(span.Length)));
        }

        int Map(int i) => offset + (map is null ? i : map[i]);
    }

    /// <summary>One char per code point, and for each shadow index the text index it stands for (plus the end).</summary>
    private static (string Shadow, int[] Map) Shadow(ReadOnlySpan<char> span)
    {
        var shadow = new char[span.Length];
        var map = new int[span.Length + 1];
        var n = 0;
        for (var i = 0; i < span.Length; i++)
        {
            map[n] = i;
            if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(span[i], span[i + 1]));
                shadow[n++] = BmpStandIns.TryGetValue(category, out var standIn) ? standIn : '\u0378';
                i++;
            }
            else
            {
                shadow[n++] = span[i];
            }
        }
        map[n] = span.Length;
        return (new string(shadow, 0, n), map[..(n + 1)]);
    }

    // Obscure BMP characters of each category, chosen so no realistic pre-tokenizer regex names them literally.
    private static Dictionary<UnicodeCategory, char> BuildStandIns()
    {
        var standIns = new Dictionary<UnicodeCategory, char>
        {
            [UnicodeCategory.UppercaseLetter] = '\u10A0',
            [UnicodeCategory.LowercaseLetter] = '\u2D00',
            [UnicodeCategory.TitlecaseLetter] = '\u1F88',
            [UnicodeCategory.ModifierLetter] = '\u02B0',
            [UnicodeCategory.OtherLetter] = '\u0F00',
            [UnicodeCategory.NonSpacingMark] = '\u0300',
            [UnicodeCategory.SpacingCombiningMark] = '\u0903',
            [UnicodeCategory.EnclosingMark] = '\u20DD',
            [UnicodeCategory.DecimalDigitNumber] = '\u1810',
            [UnicodeCategory.LetterNumber] = '\u2160',
            [UnicodeCategory.OtherNumber] = '\u2460',
            [UnicodeCategory.Format] = '\u00AD',
            [UnicodeCategory.PrivateUse] = '\uE000',
            [UnicodeCategory.ConnectorPunctuation] = '\u2040',
            [UnicodeCategory.DashPunctuation] = '\u2E3A',
            [UnicodeCategory.OpenPunctuation] = '\u2E28',
            [UnicodeCategory.ClosePunctuation] = '\u2E29',
            [UnicodeCategory.InitialQuotePunctuation] = '\u2E0C',
            [UnicodeCategory.FinalQuotePunctuation] = '\u2E0D',
            [UnicodeCategory.OtherPunctuation] = '\u2E2E',
            [UnicodeCategory.MathSymbol] = '\u2A00',
            [UnicodeCategory.CurrencySymbol] = '\u20A8',
            [UnicodeCategory.ModifierSymbol] = '\u02C2',
            [UnicodeCategory.OtherSymbol] = '\u2605',
            [UnicodeCategory.OtherNotAssigned] = '\u0378',
        };
        foreach (var (category, c) in standIns)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != category)
            {
                throw new InvalidOperationException($"Stand-in U+{(int)c:X4} is not of category {category}.");
            }
        }
        return standIns;
    }
}
