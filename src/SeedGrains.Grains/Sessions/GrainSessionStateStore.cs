namespace SeedGrains.Grains.Sessions;

/// <summary><see cref="ISessionStateStore"/> over the grain's Orleans persistent state.</summary>
internal sealed class GrainSessionStateStore(IPersistentState<SessionState> state) : ISessionStateStore
{
    public SessionState State
    {
        get => state.State;
        set => state.State = value;
    }

    public bool RecordExists => state.RecordExists;

    public Task Write() => state.WriteStateAsync();

    public Task Clear() => state.ClearStateAsync();
}
