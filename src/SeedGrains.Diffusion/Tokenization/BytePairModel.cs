using Microsoft.ML.Tokenizers;

namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// The BPE merge step for one pre-tokenized piece, run by Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>
/// (byte-level). Pre-tokenization, normalization and added tokens are done by <see cref="CodeTokenizer"/>,
/// so the library is only asked to merge the bytes of one piece.
/// </summary>
internal sealed class BytePairModel
{
    private readonly BpeTokenizer bpe;
    private readonly IReadOnlyDictionary<string, int> vocabulary;
    private readonly bool ignoreMerges;

    public BytePairModel(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges, bool ignoreMerges)
    {
        this.vocabulary = vocabulary;
        this.ignoreMerges = ignoreMerges;
        bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges.Select(m => $"{m.Left} {m.Right}"),
            ByteLevel = true,
        });
    }

    public void Encode(string piece, List<int> ids)
    {
        // ignore_merges (Llama-3): a piece that is itself a vocabulary entry is taken whole.
        if (ignoreMerges && vocabulary.TryGetValue(ByteLevelAlphabet.EncodeText(piece), out var whole))
        {
            ids.Add(whole);
            return;
        }
        ids.AddRange(bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
    }
}
