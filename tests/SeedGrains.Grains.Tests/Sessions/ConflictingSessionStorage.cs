using Orleans.Storage;

namespace SeedGrains.Grains.Tests.Sessions;

/// <summary>
/// Grain storage in memory that answers every write after the first <see cref="WritesAllowed"/> with an ETag conflict,
/// as PostgreSQL storage does when another activation of the grain wrote it since.
/// </summary>
internal sealed class ConflictingSessionStorage(int writesAllowed) : IGrainStorage
{
    private readonly Dictionary<GrainId, (object State, string ETag)> _stored = [];
    private int _writes;

    public int WritesAllowed { get; } = writesAllowed;

    public int Conflicts { get; private set; }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_stored)
        {
            if (!_stored.TryGetValue(grainId, out var stored)) return Task.CompletedTask;
            (grainState.State, grainState.ETag, grainState.RecordExists) = ((T)stored.State, stored.ETag, true);
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_stored)
        {
            if (++_writes > WritesAllowed)
            {
                Conflicts++;
                throw new InconsistentStateException("another activation wrote this session", "theirs", grainState.ETag ?? "");
            }
            var etag = Guid.NewGuid().ToString();
            _stored[grainId] = (grainState.State!, etag);
            (grainState.ETag, grainState.RecordExists) = (etag, true);
        }
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_stored) _stored.Remove(grainId);
        (grainState.ETag, grainState.RecordExists) = (null, false);
        return Task.CompletedTask;
    }
}
