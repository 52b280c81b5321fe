namespace SeedGrains.Diffusion.Data;

/// <summary>Which side of the train/validation split a document falls on (decided by a hash of its content).</summary>
public enum CorpusSplit
{
    Train,
    Validation,
}
