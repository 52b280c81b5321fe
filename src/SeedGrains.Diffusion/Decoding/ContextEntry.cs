using SeedGrains.Diffusion.Model;

namespace SeedGrains.Diffusion.Decoding;

/// <summary>
/// One row's context as of its last full forward: the window then, the positions recomputed every step (the
/// <i>active</i> ones: masks and the positions that predict them) and the keys/values of all the others.
/// </summary>
internal sealed class ContextEntry(int[] window, int[] active, KvCache context) : IDisposable
{
    readonly bool[] isActive = ActiveFlags(window.Length, active);

    public int[] Active => active;
    public KvCache Context => context;
    /// <summary>Steps this context has served, the full forward that made it included.</summary>
    public int StepsServed { get; set; } = 1;

    /// <summary>
    /// True when <paramref name="tokens"/> differs from the cached window only where the window had a mask (positions
    /// that are being filled) and every masked position and its predictor are active — then the cached context is
    /// the one this row would compute, apart from the newest commits (the dual cache's approximation).
    /// </summary>
    public bool Serves(int[] tokens, IReadOnlyList<int> masked, Func<int, int> predictorOf, int mask)
    {
        if (tokens.Length != window.Length) return false;
        for (int i = 0; i < tokens.Length; i++)
            if (tokens[i] != window[i] && !(isActive[i] && window[i] == mask)) return false;
        foreach (var m in masked)
            if (!isActive[m] || !isActive[predictorOf(m)]) return false;
        return true;
    }

    public void Dispose() => context.Dispose();

    static bool[] ActiveFlags(int length, int[] active)
    {
        var flags = new bool[length];
        foreach (var a in active) flags[a] = true;
        return flags;
    }
}
