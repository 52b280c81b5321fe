namespace SeedGrains.Diffusion.Model;

/// <summary>How positions see each other inside one forward.</summary>
public enum AttentionMode
{
    /// <summary>Every position sees every (real) key: masked diffusion.</summary>
    Bidirectional,

    /// <summary>Position i sees keys 0..i only: autoregressive decoding.</summary>
    Causal,
}
