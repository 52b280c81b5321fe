namespace SeedGrains.Diffusion.Tokenization;

/// <summary>Text ⇄ token ids with character offsets — what the session grain needs to map edits onto tokens.</summary>
public interface ICodeTokenizer
{
    int VocabularySize { get; }

    /// <summary>Ids of the named special token (e.g. "&lt;|mask|&gt;"), or null when the vocabulary lacks it.</summary>
    int? SpecialTokenId(string token);

    /// <summary>Ids and, for each, the [start, end) character range of the original text it covers.</summary>
    EncodedText Encode(string text);

    /// <summary>
    /// As <see cref="Encode"/>, but a special token's text in <paramref name="text"/> is ordinary text: what documents,
    /// the training corpus and evaluation spans are encoded with.
    /// </summary>
    EncodedText EncodeVerbatim(string text);

    /// <summary>Exact inverse of <see cref="Encode"/> for ordinary text.</summary>
    string Decode(IEnumerable<int> ids);
}

/// <summary>Token ids and their [start, end) character ranges in the encoded text.</summary>
public sealed record EncodedText(int[] Ids, (int Start, int End)[] Offsets);
