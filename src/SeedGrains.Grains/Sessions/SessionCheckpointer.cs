using Microsoft.Extensions.Logging;
using Orleans.Storage;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Grains.Telemetry;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Writes the session's state and decides when denoising progress is due a checkpoint
/// (<see cref="SessionOptions.CheckpointEverySteps"/> steps or <see cref="SessionOptions.CheckpointIntervalSeconds"/>).
/// Acknowledged changes (create, edit, cancel) must be durable first: a failed write throws and the caller's change is
/// not applied. Checkpoints and settling are best effort. An ETag conflict is neither: another activation owns the
/// session, so this one stops (<see cref="OwnershipLost"/>) whatever kind of write met it.
/// </summary>
internal sealed class SessionCheckpointer(
    ISessionStateStore store, SessionOptions options, TimeProvider time, ILogger logger, string key, string session, Action ownershipLost)
{
    private DateTimeOffset _lastWrite = time.GetUtcNow();

    /// <summary>Steps committed since the last write (attempt).</summary>
    public int StepsSinceWrite { get; private set; }

    /// <summary>A settled state that could not be written: the next activation would regenerate it (differently).</summary>
    public bool SettledUnsaved { get; set; }

    /// <summary>Another activation wrote this session: this one must stop denoising and go.</summary>
    public bool OwnershipLost { get; private set; }

    public void StepTaken() => StepsSinceWrite++;

    public bool CheckpointDue =>
        (options.CheckpointEverySteps > 0 && StepsSinceWrite >= options.CheckpointEverySteps)
        || (options.CheckpointIntervalSeconds > 0 && time.GetUtcNow() - _lastWrite >= TimeSpan.FromSeconds(options.CheckpointIntervalSeconds));

    /// <summary>Writes <paramref name="next"/>. False only for a best-effort write that failed (the state stays in memory).</summary>
    public async Task<bool> Write(SessionState next, bool bestEffort = false)
    {
        var previous = store.State;
        store.State = next;
        try
        {
            await store.Write();
            Count(bestEffort, "ok");
            SettledUnsaved = false; // every write stores the current state, superseding an unsaved one
            WriteAttempted();
            return true;
        }
        catch (InconsistentStateException)
        {
            // Another activation wrote this session (its ETag moved): retrying here cannot succeed, and denoising on would
            // race the owner. Best effort or not, this activation stops and starts over from storage.
            store.State = previous;
            Count(bestEffort, "conflict");
            OwnershipLost = true;
            ownershipLost();
            throw;
        }
        catch (Exception ex) when (bestEffort)
        {
            // The next checkpoint waits a full interval again: no write attempt per step while storage is down.
            Count(bestEffort, "failed");
            WriteAttempted();
            logger.LogWarning(ex, "Persisting session {Key} at version {Version} failed; it stays in memory", key, next.Version);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            store.State = previous;
            Count(bestEffort, "failed");
            // The caller's change is not applied; the client gets 503 and may retry. The cause (e.g. PostgreSQL down)
            // stays in the log.
            logger.LogWarning(ex, "Persisting session {Key} at version {Version} failed", key, next.Version);
            throw new StorageUnavailableException($"Session '{session}' could not be saved (session storage did not answer); nothing was changed. Retry later.");
        }
        catch
        {
            store.State = previous;
            throw;
        }
    }

    /// <summary>
    /// The settled (idle/cancelled/failed) state; best effort unless the caller acknowledges it (cancel) — on failure
    /// the resume reminder stays and retries it.
    /// </summary>
    public async Task<bool> WriteSettled(SessionState settled, bool bestEffort = true)
    {
        var written = await Write(settled, bestEffort);
        SettledUnsaved = !written;
        return written;
    }

    /// <summary>Removes the stored state; nothing unsaved is left to write.</summary>
    public async Task Clear()
    {
        await store.Clear();
        SettledUnsaved = false;
    }

    private static void Count(bool bestEffort, string outcome) =>
        SeedGrainsMetrics.StateWrites.Add(1, new("kind", bestEffort ? "best_effort" : "acknowledged"), new("outcome", outcome));

    private void WriteAttempted()
    {
        StepsSinceWrite = 0;
        _lastWrite = time.GetUtcNow();
    }
}
