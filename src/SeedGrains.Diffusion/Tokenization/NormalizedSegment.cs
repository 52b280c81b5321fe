using System.Globalization;

namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// A stretch of original text after normalization, with an alignment back to the original: the text is cut
/// into units (a code point where normalization leaves it alone, a whole grapheme cluster where it changes
/// it), and the last character of each unit records where that unit ends in the original text.
/// </summary>
internal sealed class NormalizedSegment
{
    private NormalizedSegment(string text, int[] originalEnds)
    {
        Text = text;
        OriginalEnds = originalEnds;
    }

    /// <summary>The normalized text.</summary>
    public string Text { get; }

    /// <summary>For each character of <see cref="Text"/>: the absolute original end of the unit it closes, or -1.</summary>
    public int[] OriginalEnds { get; }

    public static NormalizedSegment Create(string original, int start, int end, TextNormalizer normalizer)
    {
        var slice = original.Substring(start, end - start);
        if (normalizer.IsNormalized(slice))
        {
            return new NormalizedSegment(slice, CodePointEnds(slice, start));
        }

        // Normalization only composes/reorders within a grapheme cluster, so normalize cluster by cluster to
        // keep a fine alignment, and check that the pieces agree with normalizing the whole stretch.
        var builder = new System.Text.StringBuilder(slice.Length);
        var ends = new List<int>(slice.Length);
        var clusters = StringInfo.GetTextElementEnumerator(slice);
        while (clusters.MoveNext())
        {
            var cluster = (string)clusters.Current;
            var clusterStart = start + clusters.ElementIndex;
            if (normalizer.IsNormalized(cluster))
            {
                builder.Append(cluster);
                ends.AddRange(CodePointEnds(cluster, clusterStart));
                continue;
            }
            var normalized = normalizer.Normalize(cluster);
            builder.Append(normalized);
            for (var i = 0; i < normalized.Length; i++)
            {
                ends.Add(i == normalized.Length - 1 ? clusterStart + cluster.Length : -1);
            }
        }
        var whole = normalizer.Normalize(slice);
        if (builder.ToString() != whole)
        {
            // Cluster-wise normalization disagreed (a composition across clusters): fall back to one unit.
            var coarse = new int[whole.Length];
            Array.Fill(coarse, -1);
            if (coarse.Length > 0) coarse[^1] = end;
            return new NormalizedSegment(whole, coarse);
        }
        var result = ends.ToArray();
        if (result.Length > 0) result[^1] = end;
        return new NormalizedSegment(whole, result);
    }

    /// <summary>Each code point is its own unit; the high half of a surrogate pair closes nothing.</summary>
    private static int[] CodePointEnds(string text, int offset)
    {
        var ends = new int[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var opensPair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            ends[i] = opensPair ? -1 : offset + i + 1;
        }
        return ends;
    }
}
