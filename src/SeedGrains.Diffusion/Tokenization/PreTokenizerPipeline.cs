namespace SeedGrains.Diffusion.Tokenization;

/// <summary>The pre-tokenizer: regex splits applied in sequence, each to every piece the previous one produced.</summary>
internal sealed class PreTokenizerPipeline
{
    private readonly RegexSplitter[] steps;

    public PreTokenizerPipeline(IEnumerable<RegexSplitter> steps) => this.steps = steps.ToArray();

    public IReadOnlyList<RegexSplitter> Steps => steps;

    /// <summary>Pieces covering [start, end) of <paramref name="text"/> in order; BPE never merges across them.</summary>
    public List<(int Start, int End)> Split(string text, int start, int end)
    {
        var pieces = new List<(int Start, int End)> { (start, end) };
        foreach (var step in steps)
        {
            var next = new List<(int Start, int End)>(pieces.Count * 4);
            foreach (var (pieceStart, pieceEnd) in pieces)
            {
                step.Split(text, pieceStart, pieceEnd, next);
            }
            pieces = next;
        }
        return pieces;
    }
}
