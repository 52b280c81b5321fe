using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>A session's settings besides its document, stored with it: set at create, restored at activation.</summary>
internal sealed class SessionFlags
{
    public SessionPriority Priority { get; set; }

    /// <summary>A completion's session: deleted once settled, never listed.</summary>
    public bool Transient { get; set; }

    /// <summary>Its tenant is suspended: it does not step.</summary>
    public bool Suspended { get; set; }
}
