namespace SeedGrains.Abstractions.Sessions;

/// <summary>Lifecycle of a session's document. Wire names are the lower-case member names.</summary>
[GenerateSerializer]
public enum SessionStatus
{
    /// <summary>The grain has no document under this key.</summary>
    None = 0,
    /// <summary>Masked positions remain; the model is filling them.</summary>
    Denoising = 1,
    /// <summary>Nothing is masked; the text is final until the next edit.</summary>
    Idle = 2,
    /// <summary>Denoising was stopped by the client; still-masked positions were dropped.</summary>
    Cancelled = 3,
    /// <summary>Denoising stopped on an error (see <see cref="SessionSnapshot.Error"/>).</summary>
    Failed = 4,
}
