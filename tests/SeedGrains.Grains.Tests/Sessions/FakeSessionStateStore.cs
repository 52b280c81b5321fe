using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

/// <summary>Session storage in memory; <see cref="Fail"/> makes writes and clears throw.</summary>
internal sealed class FakeSessionStateStore : ISessionStateStore
{
    public SessionState State { get; set; } = new();

    public bool RecordExists { get; private set; }

    public Exception? Fail { get; set; }

    public int Writes { get; private set; }

    public Task Write()
    {
        if (Fail is not null) throw Fail;
        Writes++;
        RecordExists = true;
        return Task.CompletedTask;
    }

    public Task Clear()
    {
        if (Fail is not null) throw Fail;
        RecordExists = false;
        State = new SessionState();
        return Task.CompletedTask;
    }
}
