namespace SeedGrains.Abstractions.Sessions;

/// <summary>The wire spelling of <see cref="SessionStatus"/> (`denoising`, `idle`, `cancelled`, `failed`).</summary>
public static class SessionStatusNames
{
    public static string ToWire(this SessionStatus status) => status switch
    {
        SessionStatus.Denoising => "denoising",
        SessionStatus.Idle => "idle",
        SessionStatus.Cancelled => "cancelled",
        SessionStatus.Failed => "failed",
        _ => "none",
    };

    /// <summary>True when no more updates follow without a new edit (the end of an SSE stream).</summary>
    public static bool IsSettled(this SessionStatus status) => status is SessionStatus.Idle or SessionStatus.Cancelled or SessionStatus.Failed;
}
